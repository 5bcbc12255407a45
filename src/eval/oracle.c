/*
 * eval/oracle.c -- exact per-cell schedule maximising sleep under eligibility and dwell rules.
 *
 * DP state after slot k: (awake, a) with a = slots awake so far capped at min_awake, or
 * (asleep, s) with s = slots asleep capped at min_sleep.  value = asleep slots so far.
 * Transitions: awake(a) -> awake(min(a+1, A)); awake(A) -> asleep(1) if eligible;
 * asleep(s) -> asleep(min(s+1, S)) if eligible; asleep(S) -> awake(1).
 * A run still asleep at the end of the day may be shorter than min_sleep (the day ends, the
 * cell is not forced awake), and the day starts awake with a = A.
 */
#include "eval/oracle.h"

#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"

long kz_oracle_schedule(const double *u, size_t n_cells, size_t n_slots, double u_max,
                        unsigned min_sleep, unsigned min_awake, uint8_t *asleep_out)
{
    if (!u || !asleep_out || n_slots == 0)
        return KZ_EINVAL;
    const size_t A = min_awake ? min_awake : 1, S = min_sleep ? min_sleep : 1;
    const size_t NS = A + S; /* states 0..A-1 awake(a=1..A), A..A+S-1 asleep(s=1..S) */
    long *val = malloc(2 * NS * sizeof *val);
    int32_t *from = malloc(n_slots * NS * sizeof *from);
    if (!val || !from) {
        free(val);
        free(from);
        return KZ_ENOMEM;
    }
    long total = 0;
    memset(asleep_out, 0, n_cells * n_slots);
    for (size_t c = 0; c < n_cells; c++) {
        const double *uc = u + c * n_slots;
        if (uc[0] < 0)
            continue;
        long *cur = val, *nxt = val + NS;
        for (size_t s = 0; s < NS; s++)
            cur[s] = -1;      /* -1: unreachable */
        cur[A - 1] = 0;       /* before slot 0: awake long enough */
        for (size_t k = 0; k < n_slots; k++) {
            int elig = uc[k] >= 0 && uc[k] <= u_max;
            for (size_t s = 0; s < NS; s++)
                nxt[s] = -1;
            int32_t *fk = from + k * NS;
            for (size_t s = 0; s < NS; s++) {
                if (cur[s] < 0)
                    continue;
                if (s < A) { /* awake, a = s + 1 */
                    size_t t = s + 1 < A ? s + 1 : A - 1;
                    if (cur[s] > nxt[t]) { nxt[t] = cur[s]; fk[t] = (int32_t)s; }
                    if (s == A - 1 && elig && cur[s] + 1 > nxt[A]) {
                        nxt[A] = cur[s] + 1;
                        fk[A] = (int32_t)s;
                    }
                } else { /* asleep, s' = s - A + 1 */
                    size_t sl = s - A + 1;
                    if (elig) {
                        size_t t = A + (sl + 1 < S ? sl : S - 1);
                        if (cur[s] + 1 > nxt[t]) { nxt[t] = cur[s] + 1; fk[t] = (int32_t)s; }
                    }
                    if (sl >= S && cur[s] > nxt[0]) {
                        nxt[0] = cur[s];
                        fk[0] = (int32_t)s;
                    }
                }
            }
            long *tmp = cur; cur = nxt; nxt = tmp;
        }
        /* best end state, then walk back */
        size_t best = 0;
        for (size_t s = 1; s < NS; s++)
            if (cur[s] > cur[best])
                best = s;
        total += cur[best];
        size_t s = best;
        for (size_t k = n_slots; k-- > 0;) {
            asleep_out[c * n_slots + k] = s >= A;
            s = (size_t)from[k * NS + s];
        }
    }
    free(val);
    free(from);
    return total;
}
