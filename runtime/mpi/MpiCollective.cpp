//===- MpiCollective.cpp - the MPI plugin of krun (libkcc_mpi.so) ---------===//
//
// Sums over MPI_COMM_WORLD with MPI_Allreduce. Loaded by krun only when an
// MPI launcher started it, so that a single process needs no MPI library.
// Errors stay fatal (MPI's default handler): a rank that dies makes mpirun
// end the others instead of leaving them waiting in a collective.
//
//===----------------------------------------------------------------------===//

#include "core/Collective.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

class MpiCollective final : public kcc::rt::Collective {
public:
  MpiCollective() {
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &count);
  }
  // MPI_Finalize waits for the other ranks: every rank reaches it at the
  // same point of a run, or calls abort().
  ~MpiCollective() override { MPI_Finalize(); }

  int rank() const override { return me; }
  int size() const override { return count; }
  void sum(float *data, size_t n) override { reduce(data, n, MPI_FLOAT, MPI_SUM); }
  void sum(double *data, size_t n) override { reduce(data, n, MPI_DOUBLE, MPI_SUM); }
  int startSum(float *data, size_t n) override {
    std::vector<MPI_Request> &r = requests[next];
    size_t done = 0;
    do {
      size_t chunk = n - done < kChunk ? n - done : kChunk;
      r.emplace_back();
      MPI_Iallreduce(MPI_IN_PLACE, data + done, static_cast<int>(chunk), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                     &r.back());
      done += chunk;
    } while (done < n);
    return next++;
  }
  void wait(int request) override {
    auto it = requests.find(request);
    if (it == requests.end())
      return;
    MPI_Waitall(static_cast<int>(it->second.size()), it->second.data(), MPI_STATUSES_IGNORE);
    requests.erase(it);
  }
  void progress() override {
    for (auto &[id, r] : requests) {
      int done = 0;
      MPI_Testall(static_cast<int>(r.size()), r.data(), &done, MPI_STATUSES_IGNORE);
    }
  }
  void broadcast(void *data, size_t bytes, int root) override {
    auto *p = static_cast<char *>(data);
    for (size_t done = 0; done < bytes; done += kChunk)
      MPI_Bcast(p + done, static_cast<int>(bytes - done < kChunk ? bytes - done : kChunk), MPI_BYTE, root,
                MPI_COMM_WORLD);
  }
  void minMax(unsigned long long value, unsigned long long &min, unsigned long long &max) override {
    min = max = value;
    reduce(&min, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN);
    reduce(&max, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX);
  }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }
  std::string describe() const override {
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    std::string v(version, static_cast<size_t>(length));
    if (size_t eol = v.find_first_of(",\n"); eol != std::string::npos)
      v.resize(eol);
    return "rank " + std::to_string(me) + " of " + std::to_string(count) + " (" + v + ")";
  }

private:
  // MPI counts are ints: large buffers go in chunks.
  static constexpr size_t kChunk = size_t(1) << 30;
  int me = 0, count = 1;
  int next = 0;
  std::map<int, std::vector<MPI_Request>> requests;

  template <typename T> static void reduce(T *data, size_t n, MPI_Datatype type, MPI_Op op) {
    for (size_t done = 0; done < n; done += kChunk)
      MPI_Allreduce(MPI_IN_PLACE, data + done, static_cast<int>(n - done < kChunk ? n - done : kChunk), type, op,
                    MPI_COMM_WORLD);
  }
};

} // namespace

extern "C" kcc::rt::Collective *kcc_make_mpi_collective(char *error, unsigned errorSize) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) {
    std::snprintf(error, errorSize, "MPI_Init failed");
    return nullptr;
  }
  return new MpiCollective();
}
