// bAbI loader: tasks_1-20_v1-2.tar.gz -> the arrays babi_rnn.py (Keras 2.0.8)
// passes to fit(). See Babi.h for the exact rules reproduced.
#include "data/Babi.h"

#include <algorithm>
#include <map>
#include <set>

#include "data/DataError.h"
#include "data/Gzip.h"
#include "data/Loaders.h"
#include "data/Tar.h"

namespace kcc::data {
namespace {

constexpr const char* kName = "babi";
constexpr const char* kArchive = "tasks_1-20_v1-2.tar.gz";
constexpr const char* kTopDir = "tasks_1-20_v1-2";

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

// The ASCII characters Python's str.strip() removes (str.isspace() is true
// for \x1c-\x1f as well as the usual ones).
bool is_py_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

std::string py_strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_py_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_py_space(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Splits `s` on `sep` like Python's str.split(sep) (no max split).
std::vector<std::string> split_all(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// Python int() on the id field: optional sign, decimal digits.
bool parse_id(const std::string& s, long& value) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size() || s.size() - i > 9) return false;
  if (s.find_first_not_of("0123456789", i) != std::string::npos) return false;
  value = std::stol(s);
  return true;
}

// Left-pads (or left-truncates) `ids` into `row` of length `maxlen`.
void pad_pre(const std::vector<int32_t>& ids, int32_t* row, size_t maxlen) {
  size_t n = std::min(ids.size(), maxlen);
  std::fill(row, row + (maxlen - n), 0);
  std::copy(ids.end() - static_cast<std::ptrdiff_t>(n), ids.end(), row + (maxlen - n));
}

Split vectorize_split(const std::vector<BabiSample>& samples,
                      const std::map<std::string, int32_t>& word_idx, size_t story_maxlen,
                      size_t query_maxlen) {
  const auto n = static_cast<int64_t>(samples.size());
  Array story, query;
  story.dtype = query.dtype = Array::DType::I32;
  story.shape = {n, static_cast<int64_t>(story_maxlen)};
  query.shape = {n, static_cast<int64_t>(query_maxlen)};
  story.i32.resize(samples.size() * story_maxlen);
  query.i32.resize(samples.size() * query_maxlen);
  Split s;
  s.labels.resize(samples.size());
  std::vector<int32_t> ids;
  auto to_ids = [&](const std::vector<std::string>& words) {
    ids.clear();
    for (const std::string& w : words) ids.push_back(word_idx.at(w));
  };
  for (size_t i = 0; i < samples.size(); ++i) {
    to_ids(samples[i].story);
    pad_pre(ids, story.i32.data() + i * story_maxlen, story_maxlen);
    to_ids(samples[i].question);
    pad_pre(ids, query.i32.data() + i * query_maxlen, query_maxlen);
    s.labels[i] = word_idx.at(samples[i].answer);
  }
  s.inputs.push_back(std::move(story));
  s.inputs.push_back(std::move(query));
  return s;
}

}  // namespace

std::vector<std::string> babi_tokenize(const std::string& sentence) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < sentence.size()) {
    const bool word = is_word_byte(static_cast<unsigned char>(sentence[i]));
    size_t j = i;
    while (j < sentence.size() && is_word_byte(static_cast<unsigned char>(sentence[j])) == word) ++j;
    std::string tok = py_strip(sentence.substr(i, j - i));
    if (!tok.empty()) tokens.push_back(std::move(tok));
    i = j;
  }
  return tokens;
}

std::vector<BabiSample> parse_babi_stories(const std::string& text, const std::string& path) {
  std::vector<std::string> lines = split_all(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // readlines(): no line after a final '\n'

  std::vector<BabiSample> data;
  std::vector<std::vector<std::string>> story;  // sentences of the current story
  for (size_t ln = 0; ln < lines.size(); ++ln) {
    auto fail = [&](const std::string& msg) {
      throw DataError(std::string(kName) + ": " + path + ": line " + std::to_string(ln + 1) + ": " + msg);
    };
    const std::string line = py_strip(lines[ln]);
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) fail("expected '<id> <text>', found '" + line + "'");
    long nid = 0;
    if (!parse_id(line.substr(0, sp), nid)) fail("expected a numeric line id, found '" + line.substr(0, sp) + "'");
    const std::string rest = line.substr(sp + 1);
    if (nid == 1) story.clear();

    if (rest.find('\t') != std::string::npos) {
      std::vector<std::string> fields = split_all(rest, '\t');
      if (fields.size() != 3)
        fail("expected 'question<TAB>answer<TAB>supporting ids', found " +
             std::to_string(fields.size()) + " tab-separated fields");
      BabiSample s;
      for (const auto& sent : story) s.story.insert(s.story.end(), sent.begin(), sent.end());
      s.question = babi_tokenize(fields[0]);
      s.answer = fields[1];
      data.push_back(std::move(s));
      story.emplace_back();  // the script appends '' for a question; it flattens to nothing
    } else {
      story.push_back(babi_tokenize(rest));
    }
  }
  return data;
}

Dataset vectorize_babi(const std::vector<BabiSample>& train, const std::vector<BabiSample>& test) {
  std::set<std::string> words;  // std::string order = unsigned byte order = Python str order
  size_t story_maxlen = 0, query_maxlen = 0;
  for (const auto* part : {&train, &test})
    for (const BabiSample& s : *part) {
      words.insert(s.story.begin(), s.story.end());
      words.insert(s.question.begin(), s.question.end());
      words.insert(s.answer);
      story_maxlen = std::max(story_maxlen, s.story.size());
      query_maxlen = std::max(query_maxlen, s.question.size());
    }

  Dataset ds;
  ds.vocab.assign(words.begin(), words.end());
  std::map<std::string, int32_t> word_idx;
  for (size_t i = 0; i < ds.vocab.size(); ++i) word_idx[ds.vocab[i]] = static_cast<int32_t>(i + 1);
  ds.train = vectorize_split(train, word_idx, story_maxlen, query_maxlen);
  ds.test = vectorize_split(test, word_idx, story_maxlen, query_maxlen);
  ds.num_classes = static_cast<int>(ds.vocab.size() + 1);
  ds.input_names = {"story", "question"};
  return ds;
}

namespace detail {

Dataset load_babi(const std::string& root, const DatasetOptions& options) {
  const std::string dir = root + "/babi";
  require_directory(kName, dir);
  return load_babi_archive(dir + "/" + kArchive, options);
}

Dataset load_babi_archive(const std::string& archive, const DatasetOptions& options) {
  const std::string& task = options.babi_task;
  if (task.size() < 3 || task.compare(0, 2, "qa") != 0 ||
      task.find_first_not_of("0123456789", 2) != std::string::npos)
    throw DataError(std::string(kName) + ": expected a task name qa1..qa20, found '" + task + "'");
  const std::vector<uint8_t> tar = read_gzip_file(archive, kName);
  const std::vector<TarEntry> entries = list_tar(tar, archive, kName);

  // Keras picks e.g. tasks_1-20_v1-2/en/qa2_two-supporting-facts_{}.txt; the
  // task's descriptive name is matched as a wildcard so "qa2" suffices.
  auto read_part = [&](const std::string& part) {
    const std::string head = std::string(kTopDir) + "/" + options.babi_set + "/" + task + "_";
    const std::string tail = "_" + part + ".txt";
    const TarEntry* found = nullptr;
    for (const TarEntry& e : entries) {
      if (e.name.size() < head.size() + tail.size() || e.name.compare(0, head.size(), head) != 0 ||
          e.name.compare(e.name.size() - tail.size(), tail.size(), tail) != 0)
        continue;
      if (found)
        throw DataError(std::string(kName) + ": " + archive + ": expected one entry " + head + "*" +
                        tail + ", found " + found->name + " and " + e.name);
      found = &e;
    }
    if (!found)
      throw DataError(std::string(kName) + ": " + archive + ": expected an entry " + head + "*" + tail +
                      " (task '" + task + "', set '" + options.babi_set + "'), found none among " +
                      std::to_string(entries.size()) + " files");
    std::string text(reinterpret_cast<const char*>(tar.data() + found->offset), found->size);
    return parse_babi_stories(text, archive + ":" + found->name);
  };
  std::vector<BabiSample> train = read_part("train");
  std::vector<BabiSample> test = read_part("test");
  return vectorize_babi(train, test);
}

}  // namespace detail
}  // namespace kcc::data
