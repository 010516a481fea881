// bAbI: the tokenizer and story parser on hand-written text, a synthetic
// archive through load_dataset, and QA2 (en) against the values babi_rnn.py
// (Keras 2.0.8) printed: vocab, maxlens, shapes, a hand-checked sample.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "TestSupport.h"
#include "data/Babi.h"
#include "data/DataError.h"

namespace kcc::data {
namespace {

using Words = std::vector<std::string>;

TEST(BabiTokenize, SplitsLikePython35ReSplit) {
  EXPECT_EQ(babi_tokenize("Mary moved to the bathroom."), (Words{"Mary", "moved", "to", "the", "bathroom", "."}));
  EXPECT_EQ(babi_tokenize("Where is the football? "), (Words{"Where", "is", "the", "football", "?"}));
  EXPECT_EQ(babi_tokenize("Bob, Ann's cat_2 ran!?"), (Words{"Bob", ",", "Ann", "'", "s", "cat_2", "ran", "!?"}));
  // A non-word run is one token after stripping: ". ?" keeps its inner space.
  EXPECT_EQ(babi_tokenize("a . ? b"), (Words{"a", ". ?", "b"}));
  EXPECT_EQ(babi_tokenize("  \t "), Words{});
  EXPECT_EQ(babi_tokenize(""), Words{});
}

// Two stories; the second question sees both earlier sentences of story 1;
// the id-1 line resets; answers stay untokenized ("apple,milk").
const char* kStories =
    "1 Mary went to the garden.\n"
    "2 John got the apple there.\n"
    "3 Where is Mary? \tgarden\t1\n"
    "4 Mary dropped it.\n"
    "5 What is John carrying?\tapple,milk\t2\n"
    "1 Sandra moved to the office.\n"
    "2 Where is Sandra?\toffice\t1\n";

TEST(BabiParse, QuestionsSeeAllEarlierSentencesOfTheirStory) {
  std::vector<BabiSample> d = parse_babi_stories(kStories, "mem");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].story, (Words{"Mary", "went", "to", "the", "garden", ".", "John", "got", "the", "apple", "there", "."}));
  EXPECT_EQ(d[0].question, (Words{"Where", "is", "Mary", "?"}));
  EXPECT_EQ(d[0].answer, "garden");
  EXPECT_EQ(d[1].story, (Words{"Mary", "went", "to", "the", "garden", ".", "John", "got", "the", "apple",
                               "there", ".", "Mary", "dropped", "it", "."}));
  EXPECT_EQ(d[1].answer, "apple,milk");
  EXPECT_EQ(d[2].story, (Words{"Sandra", "moved", "to", "the", "office", "."}));
  EXPECT_EQ(d[2].question, (Words{"Where", "is", "Sandra", "?"}));
}

TEST(BabiParse, MalformedLinesNameTheLine) {
  try {
    parse_babi_stories("1 Mary went home.\n2 Where is Mary?\thome\n", "x.txt");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("x.txt: line 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("found 2 tab-separated fields"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_babi_stories("one Mary went home.\n", "x.txt"), DataError);
  EXPECT_THROW(parse_babi_stories("1Mary\n", "x.txt"), DataError);
}

TEST(BabiVectorize, SortedVocabLeftPaddingAndLabels) {
  std::vector<BabiSample> train = parse_babi_stories(kStories, "train");
  std::vector<BabiSample> test = parse_babi_stories("1 Bob left.\n2 Where is Bob?\tleft\t1\n", "test");
  Dataset ds = vectorize_babi(train, test);
  // Byte order: punctuation, then capitals, then lower case.
  EXPECT_EQ(ds.vocab, (Words{".", "?", "Bob", "John", "Mary", "Sandra", "What", "Where", "apple", "apple,milk",
                             "carrying", "dropped", "garden", "got", "is", "it", "left", "moved", "office",
                             "the", "there", "to", "went"}));
  EXPECT_EQ(ds.num_classes, 24);
  ASSERT_EQ(ds.train.inputs[0].shape, (std::vector<int64_t>{3, 16}));
  ASSERT_EQ(ds.train.inputs[1].shape, (std::vector<int64_t>{3, 5}));
  ASSERT_EQ(ds.test.inputs[0].shape, (std::vector<int64_t>{1, 16}));
  // Sample 2: "Sandra moved to the office ." left-padded to 16.
  const int32_t* s2 = ds.train.inputs[0].i32.data() + 2 * 16;
  EXPECT_EQ(std::vector<int32_t>(s2, s2 + 16),
            (std::vector<int32_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 18, 22, 20, 19, 1}));
  const int32_t* q1 = ds.train.inputs[1].i32.data() + 1 * 5;
  EXPECT_EQ(std::vector<int32_t>(q1, q1 + 5), (std::vector<int32_t>{7, 15, 4, 11, 2}));  // What is John carrying ?
  EXPECT_EQ(ds.train.labels, (std::vector<int32_t>{13, 10, 19}));  // garden, apple,milk, office
  EXPECT_EQ(ds.test.labels, (std::vector<int32_t>{17}));           // left
}

TEST(BabiLoad, SyntheticArchiveFindsTaskAndSet) {
  test::TempDir tmp;
  const std::string dir = tmp.mkdir("babi");
  test::write_file(dir + "/tasks_1-20_v1-2.tar.gz",
                   test::gzip_bytes(test::make_tar({
                       {"tasks_1-20_v1-2/en/qa20_other_train.txt", "1 Nope.\n2 Q?\tx\t1\n"},
                       {"tasks_1-20_v1-2/en/qa2_two-supporting-facts_train.txt", kStories},
                       {"tasks_1-20_v1-2/en/qa2_two-supporting-facts_test.txt", "1 Bob left.\n2 Where is Bob?\tleft\t1\n"},
                       {"tasks_1-20_v1-2/en-10k/qa2_two-supporting-facts_test.txt", "1 A.\n2 B?\tc\t1\n"},
                   })));
  Dataset ds = load_dataset("babi", tmp.path(), {});
  EXPECT_EQ(ds.train.size(), 3);
  EXPECT_EQ(ds.test.size(), 1);
  EXPECT_EQ(ds.num_classes, 24);
  EXPECT_EQ(ds.input_names, (Words{"story", "question"}));

  DatasetOptions other;
  other.babi_set = "en-10k";  // has a test file but no train file
  try {
    load_dataset("babi", tmp.path(), other);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("tasks_1-20_v1-2/en-10k/qa2_*_train.txt"), std::string::npos) << m;
    EXPECT_NE(m.find(dir + "/tasks_1-20_v1-2.tar.gz"), std::string::npos) << m;
  }
  other = {};
  other.babi_task = "two";
  EXPECT_THROW(load_dataset("babi", tmp.path(), other), DataError);
}

// ---- The real QA2 (en) task ------------------------------------------------

const Dataset& qa2() {
  static const Dataset ds = [] {
    DatasetOptions o;
    o.validation_split = 0.05;
    return load_dataset("babi", test::data_root(), o);
  }();
  return ds;
}

TEST(BabiQa2, VocabAndSizesMatchTheKerasRun) {
  const Dataset& ds = qa2();
  EXPECT_EQ(ds.vocab, (Words{".", "?", "Daniel", "John", "Mary", "Sandra", "Where", "apple", "back", "bathroom",
                             "bedroom", "discarded", "down", "dropped", "football", "garden", "got", "grabbed",
                             "hallway", "is", "journeyed", "kitchen", "left", "milk", "moved", "office", "picked",
                             "put", "the", "there", "to", "took", "travelled", "up", "went"}));
  EXPECT_EQ(ds.num_classes, 36);
  ASSERT_EQ(ds.train.inputs.size(), 2u);
  EXPECT_EQ(ds.train.inputs[0].dtype, Array::DType::I32);
  EXPECT_EQ(ds.train.inputs[0].shape, (std::vector<int64_t>{950, 552}));
  EXPECT_EQ(ds.train.inputs[1].shape, (std::vector<int64_t>{950, 5}));
  EXPECT_EQ(ds.validation.inputs[0].shape, (std::vector<int64_t>{50, 552}));
  EXPECT_EQ(ds.validation.inputs[1].shape, (std::vector<int64_t>{50, 5}));
  EXPECT_EQ(ds.test.inputs[0].shape, (std::vector<int64_t>{1000, 552}));
  EXPECT_EQ(ds.test.inputs[1].shape, (std::vector<int64_t>{1000, 5}));
  EXPECT_EQ(ds.train.size(), 950);
  EXPECT_EQ(ds.validation.size(), 50);
  EXPECT_EQ(ds.test.size(), 1000);
}

TEST(BabiQa2, FirstSampleHandChecked) {
  // Lines 1-7 of qa2_two-supporting-facts_train.txt:
  //   Mary moved to the bathroom. / Sandra journeyed to the bedroom. /
  //   Mary got the football there. / John went to the kitchen. /
  //   Mary went back to the kitchen. / Mary went back to the garden. /
  //   Where is the football? <TAB> garden
  // Indices: .=1 ?=2 John=4 Mary=5 Sandra=6 Where=7 back=9 bathroom=10
  // bedroom=11 football=15 garden=16 got=17 is=20 journeyed=21 kitchen=22
  // moved=25 the=29 there=30 to=31 went=35.
  const Dataset& ds = qa2();
  const std::vector<int32_t> words = {5, 25, 31, 29, 10, 1, 6, 21, 31, 29, 11, 1, 5,  17, 29, 15, 30, 1, 4,
                                      35, 31, 29, 22, 1, 5, 35, 9, 31, 29, 22, 1, 5, 35, 9,  31, 29, 16, 1};
  std::vector<int32_t> expected(552 - words.size(), 0);  // 514 zeros of left padding
  expected.insert(expected.end(), words.begin(), words.end());
  const int32_t* x0 = ds.train.inputs[0].i32.data();
  EXPECT_EQ(std::vector<int32_t>(x0, x0 + 552), expected);
  const int32_t* q0 = ds.train.inputs[1].i32.data();
  EXPECT_EQ(std::vector<int32_t>(q0, q0 + 5), (std::vector<int32_t>{7, 20, 29, 15, 2}));
  EXPECT_EQ(ds.train.labels[0], 16);  // garden
  EXPECT_EQ(std::vector<int32_t>(ds.train.labels.begin(), ds.train.labels.begin() + 10),
            (std::vector<int32_t>{16, 16, 19, 19, 22, 16, 11, 11, 11, 19}));
}

TEST(BabiQa2, ValidationIsTheLast50AndTestMatchesReference) {
  const Dataset& ds = qa2();
  // Training question 1000 (the last validation row): story of 133 words
  // ending "... bedroom . Sandra got the milk there ." asking "Where is the apple ?" -> office.
  const int32_t* xv = ds.validation.inputs[0].i32.data() + 49 * 552;
  for (int i = 0; i < 552 - 133; ++i) ASSERT_EQ(xv[i], 0) << i;
  EXPECT_NE(xv[552 - 133], 0);
  EXPECT_EQ(std::vector<int32_t>(xv + 542, xv + 552), (std::vector<int32_t>{31, 29, 11, 1, 6, 17, 29, 24, 30, 1}));
  const int32_t* qv = ds.validation.inputs[1].i32.data() + 49 * 5;
  EXPECT_EQ(std::vector<int32_t>(qv, qv + 5), (std::vector<int32_t>{7, 20, 29, 8, 2}));
  EXPECT_EQ(ds.validation.labels[49], 26);
  // Checksums and label histogram from an independent Python run of the script's logic.
  int64_t sx = 0, sq = 0;
  for (int32_t v : ds.test.inputs[0].i32) sx += v;
  for (int32_t v : ds.test.inputs[1].i32) sq += v;
  EXPECT_EQ(sx, 1681136);
  EXPECT_EQ(sq, 73859);
  std::map<int32_t, int> h;
  for (int32_t l : ds.test.labels) ++h[l];
  EXPECT_EQ(h, (std::map<int32_t, int>{{10, 175}, {11, 167}, {16, 187}, {19, 160}, {22, 165}, {26, 146}}));
  int64_t tx = 0, tq = 0;
  for (const Split* s : {&ds.train, &ds.validation}) {
    for (int32_t v : s->inputs[0].i32) tx += v;
    for (int32_t v : s->inputs[1].i32) tq += v;
  }
  EXPECT_EQ(tx, 1675527);
  EXPECT_EQ(tq, 73688);
}

TEST(BabiOtherTasks, Qa8KeepsCommaAnswersAndEn10kHas10000) {
  DatasetOptions o;
  o.babi_task = "qa8";
  Dataset qa8 = load_dataset("babi", test::data_root(), o);
  EXPECT_EQ(qa8.num_classes, 48);
  EXPECT_EQ(qa8.train.inputs[0].shape, (std::vector<int64_t>{1000, 358}));
  EXPECT_EQ(qa8.train.inputs[1].shape, (std::vector<int64_t>{1000, 5}));
  EXPECT_NE(std::find(qa8.vocab.begin(), qa8.vocab.end(), "milk,football,apple"), qa8.vocab.end());

  o.babi_task = "qa2";
  o.babi_set = "en-10k";
  Dataset big = load_dataset("babi", test::data_root(), o);
  EXPECT_EQ(big.train.size(), 10000);
  EXPECT_EQ(big.test.size(), 1000);
  EXPECT_EQ(big.num_classes, 36);
  EXPECT_EQ(big.train.inputs[0].shape[1], 552);
}

}  // namespace
}  // namespace kcc::data
