/*
 * fuzz_e2sm.c -- libFuzzer target for the E2SM-KPM and E2SM-RC decoders, which xApps run on
 * payloads the RIC forwards unread.  The first input byte picks the top-level type (modulo the
 * table in fuzz_e2sm_types.h), the rest is the encoding.  Same properties as fuzz_e2ap
 * (fuzz_common.h); running out of the arena is a refusal here, not a bug: E2SMs document no arena bound.
 *
 * When the type is E2SM-RC-IndicationMessage the bytes also go through the helper the energy
 * saver reads neighbour relation tables with (kz_rc_parse_nrt_message, REPORT style 3), since
 * it walks the decoded value on its own and a node's NRT report reaches it unchecked:
 *
 *  5. it may refuse any input, but with a KZ_E* code and never with a count beyond its arrays;
 *     on success every cell's neighbours lie inside the caller's array, in order, without
 *     overlap, and every value is within the range its type documents (the builder's ranges);
 *  6. what it returns is a fixed point: built again with kz_rc_build_nrt_message (when that is
 *     representable: at least one cell, at most KZ_RC_NRT_MAX_NBR neighbours per cell, versions
 *     and bands inside the builder's ranges -- the parser clamps or truncates out-of-root
 *     extension values) and parsed again, it gives the same cells and neighbours.  A cell with
 *     no NR neighbour is built without a table, so its serving PCI / ARFCN are not compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/e2sm_rc.h"
#include "kizuna/error.h"
#include "fuzz_common.h"
#include "fuzz_e2sm_types.h"

/* Big enough that any input libFuzzer's default -max_len gives fits (each NR neighbour takes
 * well over one octet); an input that does not fit is the documented KZ_ENOSPC refusal. */
#define NRT_MAX_CELLS 1024
#define NRT_MAX_NBRS 8192

static kz_rc_cell_nrt cells1[NRT_MAX_CELLS], cells2[NRT_MAX_CELLS];
static kz_rc_nr_nbr nbrs1[NRT_MAX_NBRS], nbrs2[NRT_MAX_NBRS];

static _Noreturn void nrt_fail(const char *what, const uint8_t *data, size_t size)
{
    kz_fuzz_fail(what, &kz_rc_E2SM_RC_IndicationMessage_desc, NULL, data, size);
}

/* Property 5 on one parse result: n cells in c, neighbours in nb[0 .. max_nb-1]. */
static void nrt_check(const kz_rc_cell_nrt *c, int n, const kz_rc_nr_nbr *nb, const uint8_t *data,
                      size_t size)
{
    size_t next = 0;
    for (int i = 0; i < n; i++) {
        if (c[i].nbr != nb + next || c[i].n_nbr > NRT_MAX_NBRS - next)
            nrt_fail("NRT parse: a cell's neighbours are not the next slice of the array", data, size);
        next += c[i].n_nbr;
        if (c[i].cgi.nci > 0xFFFFFFFFFull || c[i].pci > 1007 || c[i].arfcn > 3279165)
            nrt_fail("NRT parse: a serving cell value outside its ASN.1 range", data, size);
        for (size_t k = 0; k < c[i].n_nbr; k++) {
            const kz_rc_nr_nbr *b = &c[i].nbr[k];
            if (b->cgi.nci > 0xFFFFFFFFFull || b->pci > 1007 || b->arfcn > 3279165 ||
                b->tac > 0xFFFFFF)
                nrt_fail("NRT parse: a neighbour value outside its ASN.1 range", data, size);
        }
    }
}

static bool nrt_buildable(const kz_rc_cell_nrt *c, int n)
{
    if (n < 1)
        return false;
    for (int i = 0; i < n; i++) {
        if (c[i].n_nbr > KZ_RC_NRT_MAX_NBR)
            return false;
        for (size_t k = 0; k < c[i].n_nbr; k++)
            if (c[i].nbr[k].version < 1 || c[i].nbr[k].band < 1 || c[i].nbr[k].band > 1024)
                return false;
    }
    return true;
}

static bool nbr_equal(const kz_rc_nr_nbr *a, const kz_rc_nr_nbr *b)
{
    return !memcmp(a->cgi.plmn, b->cgi.plmn, 3) && a->cgi.nci == b->cgi.nci && a->pci == b->pci &&
           a->arfcn == b->arfcn && a->band == b->band && a->tac == b->tac && a->tdd == b->tdd &&
           a->xn == b->xn && a->ho_validated == b->ho_validated && a->version == b->version;
}

static void nrt_props(const uint8_t *data, size_t size)
{
    size_t cap = 65536 + 256 * size;
    kz_arena a;
    kz_arena_init(&a, malloc(cap), cap);
    if (!a.base)
        return;
    int n = kz_rc_parse_nrt_message(data, size, &a, cells1, NRT_MAX_CELLS, nbrs1, NRT_MAX_NBRS, NULL);
    if (n > NRT_MAX_CELLS)
        nrt_fail("NRT parse: more cells than the array holds", data, size);
    if (n < KZ_ENOTSUP)   /* the lowest code of kizuna/error.h's table */
        nrt_fail("NRT parse: a refusal that is no KZ_E* code", data, size);
    if (n < 0) {
        free(a.base);
        return;
    }
    nrt_check(cells1, n, nbrs1, data, size);
    if (nrt_buildable(cells1, n)) {
        /* Output and scratch sized from what the builder documents (~150 octets of structures
         * per neighbour) with room to spare, so that a KZ_ENOSPC / KZ_ENOMEM here is a bug too. */
        size_t nn = 0;
        for (int i = 0; i < n; i++)
            nn += cells1[i].n_nbr;
        size_t bcap = 256 + 64 * (size_t)n + 128 * nn;
        size_t scap = 4096 + 512 * (size_t)n + 512 * nn;
        uint8_t *buf = malloc(bcap);
        kz_arena s;
        kz_arena_init(&s, malloc(scap), scap);
        if (buf && s.base) {
            long len = kz_rc_build_nrt_message(cells1, (size_t)n, &s, buf, bcap);
            if (len < 0)
                nrt_fail("NRT build refuses what the NRT parse returned", data, size);
            kz_arena_reset(&a);
            int n2 = kz_rc_parse_nrt_message(buf, (size_t)len, &a, cells2, NRT_MAX_CELLS, nbrs2,
                                             NRT_MAX_NBRS, NULL);
            if (n2 != n)
                nrt_fail("NRT parse(build(parse)) gives another number of cells", data, size);
            for (int i = 0; i < n; i++) {
                const kz_rc_cell_nrt *x = &cells1[i], *y = &cells2[i];
                if (memcmp(x->cgi.plmn, y->cgi.plmn, 3) || x->cgi.nci != y->cgi.nci ||
                    x->n_nbr != y->n_nbr || (x->n_nbr && (x->pci != y->pci || x->arfcn != y->arfcn)))
                    nrt_fail("NRT parse(build(parse)) gives another cell", data, size);
                for (size_t k = 0; k < x->n_nbr; k++)
                    if (!nbr_equal(&x->nbr[k], &y->nbr[k]))
                        nrt_fail("NRT parse(build(parse)) gives another neighbour", data, size);
            }
        }
        free(s.base);
        free(buf);
    }
    free(a.base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const kz_asn_type *t = kz_fuzz_e2sm_types[data[0] % KZ_FUZZ_N_E2SM_TYPES];
    kz_fuzz_roundtrip(t, data + 1, size - 1, 65536 + 256 * (size - 1), false);
    if (t == &kz_rc_E2SM_RC_IndicationMessage_desc)
        nrt_props(data + 1, size - 1);
    return 0;
}
