/* version.h — ensad's version and the versions of its file formats. */
#ifndef ENSAD_VERSION_H
#define ENSAD_VERSION_H

#define ENSAD_VERSION "0.1.0"
/* Bumped when a file layout changes in a way older readers cannot read. */
#define ENSAD_FORMAT_VERSION 1

#endif
