// bAbI QA tasks, vectorized exactly like the Keras 2.0.8 example babi_rnn.py
// as it ran on Python 3.5. Exposed pieces are the steps of that script, so
// tests can check each against hand-worked text.
#pragma once

#include <string>
#include <vector>

#include "data/Dataset.h"

namespace kcc::data {

// tokenize(sent) = [x.strip() for x in re.split('(\W+)?', sent) if x.strip()].
// On Python < 3.7 re.split skips empty matches, so this splits the text into
// maximal runs of word characters and of non-word characters, strips Python
// whitespace from both ends of each run and keeps the non-empty ones:
// "Where is the football? " -> Where is the football ?
// Word characters are [A-Za-z0-9_] and, as an approximation of Python's
// Unicode \w, every byte >= 0x80 (the bAbI files are pure ASCII).
std::vector<std::string> babi_tokenize(const std::string& sentence);

struct BabiSample {
  std::vector<std::string> story;     // all story sentences before the question, flattened
  std::vector<std::string> question;  // tokenized question
  std::string answer;                 // the answer field as is (not tokenized)
};

// parse_stories(lines, only_supporting=False) + get_stories(): one sample per
// question line ("id question<TAB>answer<TAB>supporting ids"); a line with id 1
// starts a new story. Lines are split on '\n' and stripped like Python's
// line.strip(). A malformed line is a DataError naming `path` and the line.
// (Where Python would fail on a question with an empty story, this returns
// an empty story.)
std::vector<BabiSample> parse_babi_stories(const std::string& text, const std::string& path);

// The rest of the script: vocab = sorted(set(story+question+[answer]) over
// train and test) in byte order (= Python str order for UTF-8), word index =
// position+1, stories/questions left-padded with 0 to the max length over
// train+test (pad_sequences padding='pre', truncating='pre'), label =
// word index of the answer, num_classes = len(vocab)+1. Fills train, test,
// vocab, num_classes and input_names {"story","question"} of a Dataset.
Dataset vectorize_babi(const std::vector<BabiSample>& train, const std::vector<BabiSample>& test);

}  // namespace kcc::data
