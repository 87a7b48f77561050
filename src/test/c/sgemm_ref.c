/*
 * C reference for bin/bench: single-threaded cblas_sgemm GFLOP/s of the OpenBLAS library that JavaCPP bundles, at
 * the shapes and passes of io.spindle.bench.SgemmBenchmark, timed the way that benchmark's JMH defaults time it
 * (3 warm-up and 3 measured iterations of about one second; the score is the mean rate of the measured ones).
 *
 * shape is the forward product C = A B as MxKxN: A (M, K), B (K, N), C (M, N). pass forward is C = A B (beta 0);
 * dA = dC B^T (transB) and dB = A^T dC (transA) accumulate into their output (beta 1), as in training. Each is
 * 2 M K N flops. Operands are 64-byte aligned, like Spindle's off-heap storage.
 *
 * Built and run by bin/bench-c, which links the very libopenblas.so.0 from the JavaCPP jar and sets
 * OPENBLAS_NUM_THREADS=1. Usage: sgemm_ref [seconds_per_iteration [shape [pass]]], where shape and pass pick one
 * line of the table (all lines by default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The few CBLAS and OpenBLAS declarations needed, as in OpenBLAS's cblas.h (32-bit blasint build). */
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA, enum CBLAS_TRANSPOSE transB,
                 int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc);
void openblas_set_num_threads(int threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

#define WARMUP_ITERATIONS 3
#define MEASURED_ITERATIONS 3

struct shape { int m, k, n; };

static const struct shape SHAPES[] = { {1024, 1024, 1024}, {4096, 256, 768}, {4096, 768, 256}, {4096, 256, 256} };
static const char *PASSES[] = { "forward", "dA", "dB" };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *random_matrix(size_t length, unsigned *seed) {
  size_t bytes = (length * sizeof(float) + 63) / 64 * 64;
  float *x = aligned_alloc(64, bytes);
  if (x == NULL) {
    fprintf(stderr, "sgemm_ref: out of memory for %zu floats\n", length);
    exit(1);
  }
  for (size_t i = 0; i < length; i++) {
    *seed = *seed * 1664525u + 1013904223u;
    x[i] = (float) ((*seed >> 8) * (2.0 / 16777216.0) - 1.0);
  }
  return x;
}

/* Calls per second over one iteration: whole calls until at least `seconds` have passed. */
static double iteration(int ta, int tb, int m, int n, int k, const float *x, int lda, const float *y, int ldb,
                        float beta, float *out, double seconds) {
  long calls = 0;
  double start = now();
  double elapsed;
  do {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                x, lda, y, ldb, beta, out, n);
    calls++;
    elapsed = now() - start;
  } while (elapsed < seconds);
  return calls / elapsed;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  const char *only_shape = argc > 2 ? argv[2] : NULL;
  const char *only_pass = argc > 3 ? argv[3] : NULL;
  if (seconds <= 0) {
    fprintf(stderr, "usage: sgemm_ref [seconds_per_iteration > 0 [MxKxN [forward|dA|dB]]]\n");
    return 2;
  }
  openblas_set_num_threads(1);
  printf("# %s, core %s, %d thread(s); %d warm-up + %d measured iterations of %.1f s\n",
         openblas_get_config(), openblas_get_corename(), openblas_get_num_threads(),
         WARMUP_ITERATIONS, MEASURED_ITERATIONS, seconds);
  printf("%-16s %-8s %-8s %9s %9s %9s\n", "shape(MxKxN)", "pass", "backend", "GFLOP/s", "min", "max");
  unsigned seed = 42;
  for (size_t s = 0; s < sizeof SHAPES / sizeof SHAPES[0]; s++) {
    int bm = SHAPES[s].m, bk = SHAPES[s].k, bn = SHAPES[s].n;
    double flops = 2.0 * bm * bk * bn;
    char label[32];
    snprintf(label, sizeof label, "%dx%dx%d", bm, bk, bn);
    if (only_shape != NULL && strcmp(only_shape, label) != 0) {
      continue;
    }
    for (int p = 0; p < 3; p++) {
      if (only_pass != NULL && strcmp(only_pass, PASSES[p]) != 0) {
        continue;
      }
      int ta = 0, tb = 0, m, n, k;
      size_t xl, yl;
      float beta = 1.0f;
      if (strcmp(PASSES[p], "forward") == 0) {        /* C (M, N) = A (M, K) B (K, N) */
        m = bm; n = bn; k = bk; xl = (size_t) bm * bk; yl = (size_t) bk * bn; beta = 0.0f;
      } else if (strcmp(PASSES[p], "dA") == 0) {      /* dA (M, K) = dC (M, N) B^T, B (K, N) */
        m = bm; n = bk; k = bn; tb = 1; xl = (size_t) bm * bn; yl = (size_t) bk * bn;
      } else {                                        /* dB (K, N) = A^T dC, A (M, K), dC (M, N) */
        m = bk; n = bn; k = bm; ta = 1; xl = (size_t) bm * bk; yl = (size_t) bm * bn;
      }
      int lda = ta ? m : k;
      int ldb = tb ? k : n;
      float *x = random_matrix(xl, &seed);
      float *y = random_matrix(yl, &seed);
      float *out = random_matrix((size_t) m * n, &seed);
      for (int i = 0; i < WARMUP_ITERATIONS; i++) {
        iteration(ta, tb, m, n, k, x, lda, y, ldb, beta, out, seconds);
      }
      double sum = 0, min = 1e300, max = 0;
      for (int i = 0; i < MEASURED_ITERATIONS; i++) {
        double gflops = iteration(ta, tb, m, n, k, x, lda, y, ldb, beta, out, seconds) * flops / 1e9;
        sum += gflops;
        min = gflops < min ? gflops : min;
        max = gflops > max ? gflops : max;
      }
      printf("%-16s %-8s %-8s %9.2f %9.2f %9.2f\n", label, PASSES[p], "c", sum / MEASURED_ITERATIONS, min, max);
      fflush(stdout);
      free(x);
      free(y);
      free(out);
    }
  }
  return 0;
}
