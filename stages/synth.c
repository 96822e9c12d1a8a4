/*
 * synth.c — ensad-synth: writes synthetic labelled ECG beats to an HDF5
 * file (/x [n, length] float32, /anomalous uint8, /class int32 with the
 * kind of each beat: 0 normal, 1 PVC, 2 ST elevation, 3 ST depression,
 * 4 inverted T, 5 missing P), for data.format = h5 and for scale tests.
 * The same generator is behind data.format = synth.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "h5.h"
#include "log.h"
#include "mpiutil.h"
#include "rng.h"
#include "synth.h"
#include "version.h"

static void usage(const synth_params_t *p)
{
    printf("usage: ensad-synth --out FILE [options]\n\n"
           "Writes synthetic labelled ECG beats (sum-of-Gaussians P, Q, R, "
           "S, T waves)\nto an HDF5 file that ensad-partition reads with "
           "data.format = h5.\n\n"
           "  --out FILE        output file (required)\n"
           "  --normal N        normal beats (default 3000)\n"
           "  --anomalous N     anomalous beats, kinds in turn "
           "(default 800)\n"
           "  --length L        samples per beat (default %d)\n"
           "  --noise S         noise relative to the R wave (default "
           "%g)\n"
           "  --seed S          seed (default 7)\n"
           "  -q, --quiet       log errors only\n"
           "  -h, --help, --version\n", p->length, p->noise);
}

static long long number(const char *opt, const char *s, long long lo,
                        long long hi)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        die("%s '%s': expected a whole number in [%lld, %lld]", opt, s, lo,
            hi);
    return v;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},
        {"normal", required_argument, 0, 'n'},
        {"anomalous", required_argument, 0, 'a'},
        {"length", required_argument, 0, 'l'},
        {"noise", required_argument, 0, 'z'},
        {"seed", required_argument, 0, 's'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    synth_params_t p = synth_defaults();
    long long n_norm = 3000, n_anom = 800, seed = 7;
    const char *out = NULL;
    char tmp[4096], *end;
    double t0 = clock_seconds();
    int opt, rank;

    mpi_start(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    err_program("ensad-synth");
    log_init("synth");
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
        switch (opt) {
        case 'o': out = optarg; break;
        case 'n': n_norm = number("--normal", optarg, 0, 1LL << 40); break;
        case 'a': n_anom = number("--anomalous", optarg, 0, 1LL << 40); break;
        case 'l': p.length = (int)number("--length", optarg, 8, 1 << 20); break;
        case 's': seed = number("--seed", optarg, 0, 1LL << 62); break;
        case 'z':
            p.noise = strtod(optarg, &end);
            if (end == optarg || *end || !(p.noise >= 0 && p.noise <= 10))
                die("--noise '%s': expected a number in [0, 10]", optarg);
            break;
        case 'q': log_quiet(1); break;
        case 'h':
            if (rank == 0)
                usage(&p);
            mpi_stop();
            return 0;
        case 'V':
            if (rank == 0)
                printf("ensad-synth %s\n", ENSAD_VERSION);
            mpi_stop();
            return 0;
        default:
            die("unknown or incomplete option '%s' (see --help)",
                argv[optind - 1]);
        }
    }
    if (!out)
        die("--out FILE is required (see --help)");
    if (n_norm + n_anom == 0)
        die("nothing to write: --normal and --anomalous are both 0");

    /* Every rank generates its block of beats from its own stream. */
    int size;
    int64_t n = n_norm + n_anom, row0, rows;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    block_rows(n, rank, size, &row0, &rows);
    float *x = xmalloc((size_t)(rows * p.length + 1) * sizeof *x);
    int32_t *kind = xmalloc(((size_t)rows + 1) * sizeof *kind);
    uint8_t *anom = xmalloc((size_t)rows + 1);
    rng_t rng;
    for (int64_t i = 0; i < rows; i++) {
        int64_t g = row0 + i;
        kind[i] = g < n_norm ? SYNTH_NORMAL
                             : 1 + (int32_t)((g - n_norm) % (SYNTH_KINDS - 1));
        anom[i] = kind[i] != SYNTH_NORMAL;
    }
    rng_seed(&rng, (uint64_t)seed * 1000003u + (uint64_t)rank);
    synth_beats(&p, &rng, kind, rows, x);

    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    if (rank == 0)
        tmp_register(tmp);
    hid_t f = h5_create(tmp, MPI_COMM_WORLD);
    if (f < 0)
        die("%s", err_msg());
    CHECK(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, x, n,
                        p.length, row0, rows));
    CHECK(h5_write_rows(f, "/anomalous", H5T_NATIVE_UINT8, H5T_STD_U8LE,
                        anom, n, 0, row0, rows));
    CHECK(h5_write_rows(f, "/class", H5T_NATIVE_INT32, H5T_STD_I32LE, kind,
                        n, 0, row0, rows));
    CHECK(h5_provenance(f, "ensad/beats", "", NULL, 0, clock_seconds() - t0,
                        MPI_COMM_WORLD));
    CHECK(h5_attr_put_i64(f, "seed", seed));
    CHECK(h5_close(f, tmp));
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        CHECK(tmp_commit(tmp, out));
    log_info("wrote %s: %lld normal and %lld anomalous beats of %d samples",
             out, n_norm, n_anom, p.length);
    free(x);
    free(kind);
    free(anom);
    mpi_stop();
    return 0;
}
