/* placeholder, replaced by the E2 agent */
#include "emu/gnb.h"
#include "kizuna/error.h"
#include <string.h>
int kz_gnbs_open(struct kz_gnbs **out, struct kz_world *w, kz_loop *loop, const char *url,
                 const kz_emu_e2_cfg *cfg)
{
    (void)out; (void)w; (void)loop; (void)url; (void)cfg;
    return KZ_ENOTSUP;
}
void kz_gnbs_step(struct kz_gnbs *g) { (void)g; }
void kz_gnbs_close(struct kz_gnbs *g) { (void)g; }
void kz_gnbs_stats(const struct kz_gnbs *g, kz_emu_e2_stats *out) { (void)g; memset(out, 0, sizeof *out); }
