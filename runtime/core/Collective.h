//===- Collective.h - the processes of a data-parallel run ----------------===//
//
// krun started by mpirun runs one process per rank; each trains its share
// of every global batch and the gradients are summed across processes
// (model.bin's AllReduce calls). A Collective is that group: one process
// alone needs no library, a group under mpirun loads the MPI plugin
// (lib/libkcc_mpi.so) so that krun itself never links MPI.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_RUNTIME_CORE_COLLECTIVE_H
#define KCC_RUNTIME_CORE_COLLECTIVE_H

#include <cstddef>
#include <memory>
#include <string>

namespace kcc::rt {

class Collective {
public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Replaces |data| on every process by its sum over all processes.
  virtual void sum(float *data, size_t n) = 0;
  virtual void sum(double *data, size_t n) = 0;
  /// sum(data, n) begun without waiting: |data| must stay untouched until
  /// wait(request) returns. Started in the same order on every process.
  virtual int startSum(float *data, size_t n) = 0;
  virtual void wait(int request) = 0;
  /// Lets started sums advance (MPI moves them only inside its calls);
  /// krun calls it between the calls of a step.
  virtual void progress() {}
  /// Copies |bytes| at |data| from process |root| to every other.
  virtual void broadcast(void *data, size_t bytes, int root) = 0;
  /// The smallest and largest of |value| over all processes.
  virtual void minMax(unsigned long long value, unsigned long long &min, unsigned long long &max) = 0;
  /// Ends every process of the run (after an error on this one), so that
  /// none waits forever for a peer that left.
  [[noreturn]] virtual void abort(int code) = 0;
  /// The library and the group, for the run header.
  virtual std::string describe() const = 0;
};

/// The processes this krun runs with: itself alone, or, when an MPI
/// launcher started it (mpirun sets OMPI_COMM_WORLD_SIZE, PMIX_RANK or
/// PMI_SIZE), the MPI world through the plugin; throws RuntimeError if the
/// plugin cannot be loaded.
std::unique_ptr<Collective> openCollective();

/// True when an MPI launcher started this process.
bool launchedByMpi();

/// The plugin's entry point: a Collective over MPI_COMM_WORLD, or nullptr
/// with |error| filled.
using MakeMpiCollectiveFn = Collective *(*)(char *error, unsigned errorSize);

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_COLLECTIVE_H
