/*
 * emu/nrt.h -- the neighbour relation table (NRT) of every cell, as a gNB's ANR would learn it.
 *
 * Why: an energy saver must know which sleeping cells could take users that show up somewhere
 * else -- a crowd next to a sleeping cell camps on whatever awake cell it hears next, often at
 * another site.  Real gNBs know this from ANR (TS 38.300 15.3): UEs report the cells they hear,
 * and the cells a UE hears well together become neighbours.  The emulator has no measurement
 * reports, so this module plays ANR on its radio model, once, when the world is built.
 *
 * The rule (kz_nrt_build): every regular UE (not the UEs of scenario events, which only exist
 * during their event: a table that knew them would know the future) at its position at step 0
 * "reports" every cell it hears at or above the camping floor (KZ_WORLD_MIN_RSRP_DBM) and within
 * margin_db of the strongest cell ON THAT CELL'S CARRIER at that spot (intra-frequency
 * neighbours are cells near each other's edge; inter-frequency relations link the cells that
 * cover the same spot on different layers).  Every pair of reported cells gets one "hit"; two
 * cells are neighbours when their hits reach min_hits and min_frac of the UEs that reported
 * the less-reported of the two (an ANR keeps the relations its UEs use, not every cell a
 * shadowed indoor UE happens to hear: without the fraction the small city's cells have 13-34
 * neighbours out of 42, with 0.1 about 7, the co-sector and facing sectors).  Gains are the world's (path loss, shadowing,
 * O2I, antenna pattern, all TxRUs on), so the table follows the same radio map the UEs do.
 *
 * Guarantees: no cell is its own neighbour; before the per-cell cap the relation is symmetric
 * (a pair is counted for both cells); each cell's list is ordered by hits (most first), ties by
 * index, and holds at most max_per_cell cells (those with the most hits: the cap can break the
 * symmetry for a cell with more relations -- the 42-cell small city stays far below it).
 * Deterministic: a function of the world at step 0 only.  Built with one temporary
 * n_cells^2 counter array; lookups allocate nothing.
 */
#ifndef KZ_EMU_NRT_H
#define KZ_EMU_NRT_H

#include <stddef.h>
#include <stdint.h>

#include "emu/world.h"

#define KZ_NRT_MARGIN_DB 6.0  /* heard within this of the carrier's best: a handover candidate
                                 (3GPP A3 offsets are a few dB; 6 dB covers offset + hysteresis
                                 + the spread of shadowing across a cell's edge) */
#define KZ_NRT_MIN_HITS 2     /* pairs heard together by one UE only are noise */
#define KZ_NRT_MIN_FRAC 0.1
#define KZ_NRT_MAX_PER_CELL 32

struct kz_nrt {
    size_t n_cells;
    uint32_t *start;   /* n_cells + 1 offsets into nbr */
    uint32_t *nbr;     /* neighbour cell indices, most hits first */
    uint32_t *hits;    /* and their hits (UEs that heard both) */
};

/* Errors: KZ_ENOMEM, KZ_EINVAL (no cells). */
int kz_nrt_build(struct kz_nrt *t, const struct kz_world *w, double margin_db,
                 uint32_t min_hits, double min_frac, size_t max_per_cell);
void kz_nrt_free(struct kz_nrt *t);
/* Cell c's neighbours: up to cap of them into out (may be NULL with cap 0); returns how many
 * it has (0 for a bad index). */
size_t kz_nrt_get(const struct kz_nrt *t, uint32_t c, uint32_t *out, size_t cap);

#endif
