/*
 * cli/cli.h -- what the subcommands of the `kizuna` binary share.
 *
 * Why: one binary, many subcommands (decode, encode, and later ric, emu, demo, ctl).  main.c
 * holds the dispatch table; each subcommand lives in its own cmd_<name>.c and exports one
 * function with the signature below.  Exit statuses are the same for all of them so scripts can
 * rely on them:
 *
 *     0  everything worked
 *     1  the run went on but some items failed (e.g. undecodable PDUs inside a pcap)
 *     2  bad input or bad usage: a message on stderr says what and where
 */
#ifndef KIZUNA_CLI_H
#define KIZUNA_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kizuna/asn.h"

enum { KZ_CLI_OK = 0, KZ_CLI_PARTIAL = 1, KZ_CLI_BAD_INPUT = 2 };

/* A subcommand: argv[0] is the subcommand's name. Returns an exit status from above. */
typedef int (*kz_cli_cmd_fn)(int argc, char **argv);

int kz_cmd_decode(int argc, char **argv);
int kz_cmd_encode(int argc, char **argv);
int kz_cmd_ric(int argc, char **argv);      /* cmd_ric.c */
int kz_cmd_emu(int argc, char **argv);      /* cmd_emu.c */

/* ---- helpers (cli_io.c) ------------------------------------------------------------------ */

/* A whole, finite decimal number (strtod syntax, nothing after it) into *out; -1 otherwise
 * (the option is then refused with KZ_CLI_BAD_INPUT -- atof would turn "x" into 0). */
int kz_cli_number(const char *s, double *out);

/* Hex text to bytes.  Whitespace, ':' separators and a leading "0x" are ignored.  On error
 * returns -1 and writes e.g. "not a hex digit 'g' at character 13" into err.  *out is malloc'd
 * (free it), never NULL on success (even for zero bytes). */
int kz_cli_hex_to_bytes(const char *text, size_t n, uint8_t **out, size_t *len, char *err,
                        size_t errcap);

/* Bytes to lower-case hex, NUL-terminated, malloc'd (NULL on out of memory). */
char *kz_cli_bytes_to_hex(const uint8_t *buf, size_t len);

/* Read a whole file ("-" = stdin) into a malloc'd buffer with a NUL after the last byte.
 * Returns 0, or -1 with "FILE: strerror" in err. */
int kz_cli_read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errcap);

/* ---- ASN.1 type names (cli_types.c) -------------------------------------------------------
 * "SET:Type" -> descriptor, with SET one of e2ap, kpm, rc (ASN.1 type names as the oracle spells
 * them, found by walking the generated descriptor graph from each set's top-level types).
 * The set may be omitted when the name is unique; "kpm:IndicationMessage" is accepted for
 * "kpm:E2SM-KPM-IndicationMessage".  Returns NULL if there is no such type; *set_out (may be
 * NULL) gets "e2ap", "kpm" or "rc". */
const kz_asn_type *kz_cli_type_find(const char *spec, const char **set_out);
/* Print the type names of a set (or of every set for NULL), one per line. */
void kz_cli_types_list(FILE *f, const char *set);

/* A decoder arena big enough for a value of len encoded octets (the CLI is not a hot path:
 * heap, grown on KZ_ENOMEM by the callers). */
int kz_cli_decode_value(const kz_asn_type *t, const uint8_t *buf, size_t len, void **mem,
                        void **out, kz_asn_diag *diag);

#endif
