// The image augmentation of the Keras 2.0.8 cifar10_cnn example:
// ImageDataGenerator(width_shift_range=0.1, height_shift_range=0.1,
// horizontal_flip=True, fill_mode='nearest', everything else off).
//
// What Keras does per image, and what this reproduces:
//   tx = uniform(-hsr, hsr) * rows      (vertical shift; skipped if hsr == 0)
//   ty = uniform(-wsr, wsr) * cols      (horizontal shift; skipped if wsr == 0)
//   the translation [[1,0,tx],[0,1,ty]] (offset_center leaves a pure
//   translation unchanged) goes to scipy.ndimage.affine_transform(order=0,
//   mode='nearest') per channel: output pixel (i,j) reads the input at
//   (i+tx, j+ty), each coordinate rounded half up (floor(c+0.5), scipy's
//   order-0 rule) and clamped to [0, rows-1] / [0, cols-1] (mode 'nearest'
//   repeats the edge pixel);
//   then, if horizontal_flip and uniform(0,1) < 0.5, columns are reversed.
// Both steps are fused into one gather, so
//   out(i,j,c) = in(clamp(floor(i+tx+0.5)), clamp(floor(j'+ty+0.5)), c),
//   j' = flip ? cols-1-j : j.
// The random numbers differ from Keras (which uses numpy's global RNG,
// unseeded); see draw_shift_flip for ours.
#pragma once

#include <cstdint>

namespace kcc::data {

struct AugmentOptions {
  double width_shift_range = 0.1;   // fraction of cols
  double height_shift_range = 0.1;  // fraction of rows
  bool horizontal_flip = true;
};

// One image: [rows, cols, channels] (channels_last) or [channels, rows, cols].
struct ImageGeometry {
  int64_t rows = 0, cols = 0, channels = 0;
  bool channels_first = false;
};

// The parameters drawn for one image.
struct ShiftFlip {
  double tx = 0.0;  // rows: output row i reads input row i+tx
  double ty = 0.0;  // cols: output col j reads input col j+ty (before the flip)
  bool flip = false;
};

// Turns uniforms in [0,1) into parameters, in Keras' draw order: u_rows for
// tx (only used if height_shift_range != 0), u_cols for ty (if
// width_shift_range != 0), u_flip for the flip (flip = u_flip < 0.5, if
// horizontal_flip). tx = (-hsr + 2*hsr*u_rows) * rows, like numpy's
// uniform(low, high) = low + (high-low)*u.
ShiftFlip shift_flip_from_uniforms(const AugmentOptions& options, const ImageGeometry& geometry,
                                   double u_rows, double u_cols, double u_flip);

// Our draw: the first three doubles of SplitMix64(key) (see Random.h) as
// u_rows, u_cols, u_flip. The batch producer uses
// key = stream_key(seed, epoch, 1 + position of the sample in the epoch).
ShiftFlip draw_shift_flip(const AugmentOptions& options, const ImageGeometry& geometry, uint64_t key);

// Writes the shifted (and possibly flipped) image to `dst`; `src` and `dst`
// must not overlap.
void apply_shift_flip(const float* src, float* dst, const ImageGeometry& geometry, const ShiftFlip& p);

}  // namespace kcc::data
