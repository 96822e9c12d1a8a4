/* mpiutil.c — MPI start and stop, broadcasts in pieces, and block
 * distribution of rows. */
#include "mpiutil.h"

#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LSAN_OFF() __lsan_disable()
#define LSAN_ON() __lsan_enable()
#else
#define LSAN_OFF() ((void)0)
#define LSAN_ON() ((void)0)
#endif

void mpi_start(int *argc, char ***argv)
{
    /* Shared file pointers, which ensad never uses, cost every MPI-IO
     * open in OpenMPI 4.1: the lockedfile plugin overflows a fixed buffer
     * on paths of over about 220 characters, and the sm plugin wants a
     * session folder that a lone process (below) does not make. Leave
     * both out unless the user chose the plugins. */
    setenv("OMPI_MCA_sharedfp", "^lockedfile,sm", 0);
    /* Run alone (no mpirun, no srun), a program needs no OpenMPI daemon:
     * not starting one saves a third of a member's wall time. */
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
    LSAN_OFF();
    MPI_Init(argc, argv);
    LSAN_ON();
}

void mpi_io_begin(void) { LSAN_OFF(); }

void mpi_io_end(void) { LSAN_ON(); }

void mpi_stop(void)
{
    LSAN_OFF();
    MPI_Finalize();
    LSAN_ON();
}

void bcast_bytes(void *data, size_t bytes, MPI_Comm comm)
{
    const size_t piece = (size_t)1 << 30;
    char *p = data;
    for (size_t done = 0; done < bytes; done += piece) {
        size_t n = bytes - done < piece ? bytes - done : piece;
        MPI_Bcast(p + done, (int)n, MPI_BYTE, 0, comm);
    }
}

void block_rows(int64_t n, int rank, int size, int64_t *row0, int64_t *rows)
{
    int64_t base = n / size, extra = n % size;
    *row0 = rank * base + (rank < extra ? rank : extra);
    *rows = base + (rank < extra);
}
