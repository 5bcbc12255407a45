/*
 * emu/gnb.h -- the E2 agent: each site of the world as one E2 node (a gNB) talking to a RIC.
 *
 * Why: xApps see the emulated network only through E2.  Each gNB runs E2 setup with three RAN
 * functions that have real definitions (KPM id 2, RC id 3, CCC id 4), serves KPM
 * subscriptions from the world's counters, serves RC REPORT style 3 (each cell's neighbour
 * relation table, nrt.h, as indication message format 3), and turns RC handover and CCC energy-saving
 * controls into world controls (kz_world_handover / kz_world_sleep / kz_world_wake).
 *
 * Guarantees: malformed E2AP gets an ErrorIndication (E2AP 10.3) and the node stays up; a
 * control that cannot be done gets RICcontrolFailure with a cause, or for CCC an outcome with
 * the item in the failed list and its cause; a lost association is reconnected and E2 setup
 * repeated (subscriptions of the old association are dropped: the RIC re-subscribes).  KPM
 * values are computed from cumulative counters in the world, so a report covers exactly its
 * granularity period whatever the step length.  Per-message work uses preallocated buffers.
 */
#ifndef KZ_EMU_GNB_H
#define KZ_EMU_GNB_H

#include "emu/world.h"
#include "kizuna/emu.h"
#include "kizuna/loop.h"

struct kz_gnbs;

struct kz_nrt;
/* nrt (may be NULL: then RC REPORT style 3 is neither advertised nor served) must outlive g. */
int kz_gnbs_open(struct kz_gnbs **out, struct kz_world *w, const struct kz_nrt *nrt,
                 kz_loop *loop, const char *url, const kz_emu_e2_cfg *cfg);
/* After every world step: send the KPM reports that are due. */
void kz_gnbs_step(struct kz_gnbs *g);
void kz_gnbs_close(struct kz_gnbs *g);
void kz_gnbs_stats(const struct kz_gnbs *g, kz_emu_e2_stats *out);

#endif
