// Conformance cases: layer_norm, group_norm, embedding, embedding_bag (issue 5).
// Index inputs are drawn from [int_low, int_high) = [0, num_embeddings); offsets are constants
// (random offsets would not be a valid bag layout).
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

void AddNormEmbeddingCases(std::vector<Case>& cases) {
  cases.push_back({"layer_norm_affine",
                   "graph g {\n  input %x : f32[N,3,8]\n  param %w : f32[8]\n  param %b : f32[8]\n"
                   "  %0 = layer_norm(%x, %w, %b) {eps=1e-05, normalized_ndim=1} : f32[N,3,8]\n  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"layer_norm_2d_plain",
                   "graph g {\n  input %x : f32[N,3,4,5]\n"
                   "  %0 = layer_norm(%x) {eps=0.001, normalized_ndim=2} : f32[N,3,4,5]\n  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"group_norm_affine",
                   "graph g {\n  input %x : f32[N,6,4,3]\n  param %w : f32[6]\n  param %b : f32[6]\n"
                   "  %0 = group_norm(%x, %w, %b) {eps=1e-05, num_groups=3} : f32[N,6,4,3]\n  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"group_norm_instance_1d",
                   "graph g {\n  input %x : f32[N,4,7]\n"
                   "  %0 = group_norm(%x) {eps=1e-05, num_groups=4} : f32[N,4,7]\n  output out = %0\n}\n",
                   {{"N", 3}}});
  Case embedding{"embedding_2d_indices",
                 "graph g {\n  input %i : i64[N,5]\n  param %w : f32[10,4]\n"
                 "  %0 = embedding(%w, %i) : f32[N,5,4]\n  output out = %0\n}\n",
                 {{"N", 3}}};
  embedding.int_low = 0;
  embedding.int_high = 10;
  cases.push_back(embedding);
  Case bag2d{"embedding_bag_2d_mean_padding",
             "graph g {\n  input %i : i64[N,4]\n  param %w : f32[6,3]\n"
             "  %0 = embedding_bag(%w, %i) {mode=\"mean\", padding_idx=2} : f32[N,3]\n  output out = %0\n}\n",
             {{"N", 5}}};
  bag2d.int_low = 0;
  bag2d.int_high = 6;
  cases.push_back(bag2d);
  Case bag_offsets{"embedding_bag_offsets_sum_weighted",
                   "graph g {\n  input %i : i64[7]\n  input %p : f32[7]\n  param %w : f32[9,4]\n"
                   "  %0 = constant() {dtype=i64, shape=[4], value=[0.0,2.0,2.0,6.0]} : i64[4]\n"
                   "  %1 = embedding_bag(%w, %i, %0, %p) {mode=\"sum\"} : f32[4,4]\n  output out = %1\n}\n"};
  bag_offsets.int_low = 0;
  bag_offsets.int_high = 9;
  cases.push_back(bag_offsets);
  Case bag_max{"embedding_bag_offsets_max_last",
               "graph g {\n  input %i : i64[6]\n  param %w : f32[5,3]\n"
               "  %0 = constant() {dtype=i64, shape=[4], value=[0.0,1.0,4.0,6.0]} : i64[4]\n"
               "  %1 = embedding_bag(%w, %i, %0) {include_last_offset=true, mode=\"max\"} : f32[3,3]\n"
               "  output out = %1\n}\n"};
  bag_max.int_low = 0;
  bag_max.int_high = 5;
  cases.push_back(bag_max);
}

}  // namespace kiln::conformance
