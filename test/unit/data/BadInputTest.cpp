// Bad input never crashes: every problem is a DataError whose message names
// the file, what was expected and what was found.
#include <gtest/gtest.h>

#include "TestSupport.h"
#include "data/DataError.h"
#include "data/Gzip.h"
#include "data/Tar.h"

namespace kcc::data {
namespace {

using test::TempDir;

// Runs `f`, expects a DataError and returns its message ("" + a failure otherwise).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected DataError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected DataError, nothing was thrown";
  return "";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

std::vector<uint8_t> idx_images(uint32_t magic, uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> b;
  test::put_be32(b, magic);
  test::put_be32(b, count);
  test::put_be32(b, rows);
  test::put_be32(b, cols);
  b.resize(b.size() + size_t(count) * rows * cols, 0);
  return b;
}

TEST(BadInput, MissingRootSuggestsDataFlag) {
  const std::string m = error_of([] { load_dataset("mnist", "/nonexistent/kcc-data", {}); });
  EXPECT_CONTAINS(m, "/nonexistent/kcc-data");
  EXPECT_CONTAINS(m, "--data DIR");
  EXPECT_CONTAINS(m, "KCC_DATA");
}

TEST(BadInput, MissingDatasetFolderAndFiles) {
  TempDir tmp;
  std::string m = error_of([&] { load_dataset("cifar10", tmp.path(), {}); });
  EXPECT_CONTAINS(m, tmp.path() + "/cifar10/cifar-10-batches-bin");
  EXPECT_CONTAINS(m, "directory not found");

  tmp.mkdir("mnist");
  m = error_of([&] { load_dataset("mnist", tmp.path(), {}); });
  EXPECT_CONTAINS(m, "mnist: " + tmp.path() + "/mnist/train-images-idx3-ubyte.gz: file not found");
  EXPECT_CONTAINS(m, "--data DIR");

  tmp.mkdir("babi");
  m = error_of([&] { load_dataset("babi", tmp.path(), {}); });
  EXPECT_CONTAINS(m, tmp.path() + "/babi/tasks_1-20_v1-2.tar.gz");
}

TEST(BadInput, OptionsAreChecked) {
  const std::string root = test::data_root();
  EXPECT_CONTAINS(error_of([&] { load_dataset("imagenet", root, {}); }), "unknown dataset 'imagenet'");
  DatasetOptions o;
  o.image_layout = "nhwc";
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", root, o); }), "found 'nhwc'");
  o = {};
  o.validation_split = 1.0;
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", root, o); }), "validation_split");
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", "", {}); }), "--data DIR");
}

TEST(BadInput, TruncatedGzip) {
  TempDir tmp;
  const std::string dir = tmp.mkdir("mnist");
  std::vector<uint8_t> gz = test::gzip_bytes(idx_images(2051, 60000, 28, 28));
  gz.resize(gz.size() / 2);
  const std::string path = dir + "/train-images-idx3-ubyte.gz";
  test::write_file(path, gz);
  const std::string m = error_of([&] { load_dataset("mnist", tmp.path(), {}); });
  EXPECT_CONTAINS(m, "mnist: " + path + ": truncated gzip file");

  // Cut inside the 8-byte trailer: all data inflates, the CRC/size check cannot run.
  std::vector<uint8_t> small = test::gzip_bytes({1, 2, 3, 4, 5});
  small.resize(small.size() - 3);
  EXPECT_CONTAINS(error_of([&] { gunzip(small, "mem.gz", "test"); }), "test: mem.gz: truncated gzip file");
  EXPECT_CONTAINS(error_of([&] { gunzip({}, "empty.gz", "test"); }), "found an empty file");
}

TEST(BadInput, CorruptAndNonGzip) {
  std::vector<uint8_t> raw(100000);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * 7 + i / 13);
  std::vector<uint8_t> gz = test::gzip_bytes(raw);
  std::vector<uint8_t> bad = gz;
  bad[gz.size() - 6] ^= 0xff;  // inside the CRC32 of the trailer
  EXPECT_CONTAINS(error_of([&] { gunzip(bad, "crc.gz", "test"); }), "corrupt gzip data");
  bad = gz;
  for (size_t i = 20; i < 60; ++i) bad[i] ^= 0x5a;  // inside the deflate stream
  EXPECT_CONTAINS(error_of([&] { gunzip(bad, "mid.gz", "test"); }), "test: mid.gz:");
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_CONTAINS(error_of([&] { gunzip(text, "plain.gz", "test"); }), "expected gzip magic 1f 8b, found 68 65");
  // Concatenated members decode back to back, like gzip(1).
  std::vector<uint8_t> two = test::gzip_bytes({1, 2});
  std::vector<uint8_t> second = test::gzip_bytes({3});
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(gunzip(two, "two.gz", "test"), (std::vector<uint8_t>{1, 2, 3}));
  // Garbage after the stream is reported.
  std::vector<uint8_t> tail = test::gzip_bytes({1});
  tail.push_back('x');
  EXPECT_CONTAINS(error_of([&] { gunzip(tail, "tail.gz", "test"); }), "found 1 more bytes");
}

TEST(BadInput, MnistWrongMagicCountAndLabels) {
  TempDir tmp;
  const std::string dir = tmp.mkdir("mnist");
  const std::string images = dir + "/train-images-idx3-ubyte.gz";
  test::write_file(images, test::gzip_bytes(idx_images(1234, 60000, 28, 28)));
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", tmp.path(), {}); }),
                  "mnist: " + images + ": expected IDX magic 2051, found 1234");

  test::write_file(images, test::gzip_bytes(idx_images(2051, 59999, 28, 28)));
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", tmp.path(), {}); }),
                  images + ": expected image count 60000, found 59999");

  test::write_file(images, test::gzip_bytes(idx_images(2051, 60000, 32, 28)));
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", tmp.path(), {}); }), "expected rows 28, found 32");

  std::vector<uint8_t> short_images = idx_images(2051, 60000, 28, 28);
  short_images.pop_back();
  test::write_file(images, test::gzip_bytes(short_images));
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", tmp.path(), {}); }),
                  "expected 47040016 bytes after decompression, found 47040015");

  test::write_file(images, test::gzip_bytes(idx_images(2051, 60000, 28, 28)));
  std::vector<uint8_t> labels;
  test::put_be32(labels, 2049);
  test::put_be32(labels, 60000);
  labels.resize(8 + 60000, 3);
  labels[8 + 777] = 11;
  const std::string lpath = dir + "/train-labels-idx1-ubyte.gz";
  test::write_file(lpath, test::gzip_bytes(labels));
  EXPECT_CONTAINS(error_of([&] { load_dataset("mnist", tmp.path(), {}); }),
                  lpath + ": expected labels 0..9, found 11 at record 777");
}

TEST(BadInput, CifarWrongSizeAndLabel) {
  TempDir tmp;
  const std::string dir = tmp.mkdir("cifar10/cifar-10-batches-bin");
  const std::string b1 = dir + "/data_batch_1.bin.gz";
  std::vector<uint8_t> batch(10000 * 3073, 0);
  batch[3 * 3073] = 10;  // label byte of record 3
  test::write_file(b1, test::gzip_bytes(batch));
  EXPECT_CONTAINS(error_of([&] { load_dataset("cifar10", tmp.path(), {}); }),
                  "cifar10: " + b1 + ": expected labels 0..9, found 10 at record 3");
  batch[3 * 3073] = 0;
  batch.resize(batch.size() - 3073);
  test::write_file(b1, test::gzip_bytes(batch));
  EXPECT_CONTAINS(error_of([&] { load_dataset("cifar10", tmp.path(), {}); }),
                  b1 + ": expected 30730000 bytes (10000 records of 3073) after decompression, found 30726927");
  batch.resize(10000 * 3073, 0);
  test::write_file(b1, test::gzip_bytes(batch));
  EXPECT_CONTAINS(error_of([&] { load_dataset("cifar10", tmp.path(), {}); }),
                  dir + "/data_batch_2.bin.gz: file not found");
}

TEST(BadInput, TarProblems) {
  std::vector<uint8_t> tar = test::make_tar({{"a/b.txt", "hello"}, {"a/c.txt", std::string(700, 'x')}});
  std::vector<TarEntry> entries = list_tar(tar, "t.tar", "test");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "a/b.txt");
  EXPECT_EQ(entries[0].size, 5u);
  EXPECT_EQ(std::string(tar.begin() + entries[0].offset, tar.begin() + entries[0].offset + 5), "hello");
  EXPECT_EQ(entries[1].name, "a/c.txt");
  EXPECT_EQ(entries[1].offset, 3u * 512u);

  std::vector<uint8_t> bad = tar;
  bad[10] ^= 1;  // name byte: checksum no longer matches
  EXPECT_CONTAINS(error_of([&] { list_tar(bad, "t.tar", "test"); }), "test: t.tar: tar header at byte 0: expected header checksum");
  std::vector<uint8_t> cut(tar.begin(), tar.begin() + 512 * 3);  // second file's data cut short
  EXPECT_CONTAINS(error_of([&] { list_tar(cut, "t.tar", "test"); }), "tar header at byte 1024: entry claims 700 bytes");
  std::vector<uint8_t> half(tar.begin(), tar.begin() + 700);  // inside entry 0's padding
  EXPECT_CONTAINS(error_of([&] { list_tar(half, "t.tar", "test"); }), "padding runs past the end (truncated archive)");
  std::vector<uint8_t> header(tar.begin(), tar.begin() + 1124);  // 100 bytes of header 1
  EXPECT_CONTAINS(error_of([&] { list_tar(header, "t.tar", "test"); }),
                  "tar header at byte 1024: expected a 512-byte header, found 100 bytes (truncated archive)");

  TempDir tmp;
  const std::string dir = tmp.mkdir("babi");
  test::write_file(dir + "/tasks_1-20_v1-2.tar.gz", test::gzip_bytes(std::vector<uint8_t>(2048, 'z')));
  EXPECT_CONTAINS(error_of([&] { load_dataset("babi", tmp.path(), {}); }),
                  "babi: " + dir + "/tasks_1-20_v1-2.tar.gz: tar header at byte 0");
}

}  // namespace
}  // namespace kcc::data
