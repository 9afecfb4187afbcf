// Seedable random numbers for kiln's frontend: rand/randn/randint and the nn::init functions.
//
// The generator is a 64-bit Mersenne Twister (std::mt19937_64, whose output sequence the C++
// standard fixes), with our own conversions to uniform and normal doubles (the standard's
// distributions are implementation-defined), so a seed gives the same numbers everywhere.
// It does not reproduce PyTorch's exact random streams: kiln matches PyTorch's
// *distributions* (same bounds and standard deviations in every initializer).
#pragma once

#include <cstdint>
#include <random>

namespace kiln {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Standard normal (Box-Muller).
  double normal();
  /// Uniform 64-bit integer.
  uint64_t next_u64() { return engine_(); }
  /// Uniform integer in [low, high); high > low.
  int64_t randint(int64_t low, int64_t high);

 private:
  uint64_t seed_ = 0;
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

/// The process-wide default generator (seed 0 until manual_seed is called), as torch's.
Generator& default_generator();
/// Seeds the default generator, as torch.manual_seed.
void manual_seed(uint64_t seed);

}  // namespace kiln
