/*
 * emu/nrt.c -- the ANR-like neighbour relation table.  See nrt.h for the rule and guarantees.
 */
#include "emu/nrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"

void kz_nrt_free(struct kz_nrt *t)
{
    free(t->start);
    free(t->nbr);
    free(t->hits);
    memset(t, 0, sizeof *t);
}

struct pair { uint32_t cell, hits; };

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->hits != y->hits)
        return x->hits > y->hits ? -1 : 1;
    return (x->cell > y->cell) - (x->cell < y->cell);
}

int kz_nrt_build(struct kz_nrt *t, const struct kz_world *w, double margin_db,
                 uint32_t min_hits, double min_frac, size_t max_per_cell)
{
    memset(t, 0, sizeof *t);
    size_t n = w->n_cells;
    if (!n)
        return KZ_EINVAL;
    uint32_t *cnt = calloc(n * n, sizeof *cnt); /* pair hits; the diagonal: UEs hearing it */
    double *best = malloc(65536 * sizeof *best); /* by carrier (uint16_t) */
    uint32_t *heard = malloc(n * sizeof *heard);
    struct pair *row = malloc(n * sizeof *row);
    t->start = calloc(n + 1, sizeof *t->start);
    t->nbr = malloc(n * (max_per_cell ? max_per_cell : 1) * sizeof *t->nbr);
    t->hits = malloc(n * (max_per_cell ? max_per_cell : 1) * sizeof *t->hits);
    if (!cnt || !best || !heard || !row || !t->start || !t->nbr || !t->hits) {
        free(cnt);
        free(best);
        free(heard);
        free(row);
        kz_nrt_free(t);
        return KZ_ENOMEM;
    }
    t->n_cells = n;
    uint32_t n_ues = w->n_base_ues ? w->n_base_ues : (uint32_t)w->n_ues;
    for (uint32_t u = 0; u < n_ues; u++) {
        for (size_t c = 0; c < n; c++)
            best[w->cells[c].carrier] = -INFINITY;
        for (size_t c = 0; c < n; c++) {
            double r = kz_world_rsrp(w, u, (uint32_t)c);
            double *b = &best[w->cells[c].carrier];
            if (r > *b)
                *b = r;
        }
        size_t k = 0;
        for (size_t c = 0; c < n; c++) {
            double r = kz_world_rsrp(w, u, (uint32_t)c);
            if (r >= KZ_WORLD_MIN_RSRP_DBM && r >= best[w->cells[c].carrier] - margin_db) {
                heard[k++] = (uint32_t)c;
                cnt[c * n + c]++;
            }
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = i + 1; j < k; j++) {
                cnt[(size_t)heard[i] * n + heard[j]]++;
                cnt[(size_t)heard[j] * n + heard[i]]++;
            }
    }
    size_t off = 0;
    for (size_t c = 0; c < n; c++) {
        size_t m = 0;
        for (size_t d = 0; d < n; d++) {
            uint32_t h = cnt[c * n + d], hc = cnt[c * n + c], hd = cnt[d * n + d];
            double need = min_frac * (double)(hc < hd ? hc : hd);
            if (d != c && h >= (min_hits ? min_hits : 1) && (double)h >= need)
                row[m++] = (struct pair){(uint32_t)d, h};
        }
        qsort(row, m, sizeof *row, cmp_pair);
        if (m > max_per_cell)
            m = max_per_cell;
        t->start[c] = (uint32_t)off;
        for (size_t i = 0; i < m; i++) {
            t->nbr[off] = row[i].cell;
            t->hits[off++] = row[i].hits;
        }
    }
    t->start[n] = (uint32_t)off;
    free(cnt);
    free(best);
    free(heard);
    free(row);
    return 0;
}

size_t kz_nrt_get(const struct kz_nrt *t, uint32_t c, uint32_t *out, size_t cap)
{
    if (!t->start || c >= t->n_cells)
        return 0;
    size_t m = t->start[c + 1] - t->start[c];
    for (size_t i = 0; i < m && i < cap; i++)
        out[i] = t->nbr[t->start[c] + i];
    return m;
}
