/* mpiutil.c — MPI start and stop, broadcasts in pieces, and block
 * distribution of rows. */
#include "mpiutil.h"

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
    LSAN_OFF();
    MPI_Init(argc, argv);
    LSAN_ON();
}

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
