/*
 * mpiutil.h — small MPI helpers: broadcasts of any size (MPI counts are
 * int) and the block of rows a rank owns.
 */
#ifndef ENSAD_MPIUTIL_H
#define ENSAD_MPIUTIL_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* MPI_Init and MPI_Finalize. Under LeakSanitizer, what OpenMPI allocates
 * inside them and keeps for the life of the process (plugins, PMIx
 * state) is not ensad's, so it is excluded from the leak report there and
 * only there; everything ensad allocates is still checked. */
void mpi_start(int *argc, char ***argv);
void mpi_stop(void);
/* Around an MPI-IO file open: OpenMPI's I/O plugins keep what they
 * allocate while choosing how to open a file until the process ends. */
void mpi_io_begin(void);
void mpi_io_end(void);

/* MPI_Bcast of `bytes` bytes from rank 0, in pieces under 1 GiB. */
void bcast_bytes(void *data, size_t bytes, MPI_Comm comm);
/* Rows [*row0, *row0 + *rows) of n owned by rank of size ranks. */
void block_rows(int64_t n, int rank, int size, int64_t *row0, int64_t *rows);

#endif
