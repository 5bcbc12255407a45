/*
 * kizuna/arena.h -- bump allocator for decoded messages.
 *
 * Why: decoding an E2AP PDU must not call malloc per message (DESIGN.md, principle 1).  The
 * caller owns one arena (usually on the stack or reused across messages), the decoder carves
 * the typed message out of it, and kz_arena_reset() frees everything at once.  Allocation never
 * falls back to the heap: when the arena is full the decode fails with KZ_ENOMEM, so a hostile
 * PDU cannot make the process grow.
 */
#ifndef KIZUNA_ARENA_H
#define KIZUNA_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct kz_arena {
    uint8_t *base;   /* caller's memory */
    size_t cap;      /* bytes in base */
    size_t used;     /* bytes handed out so far */
} kz_arena;

static inline void kz_arena_init(kz_arena *a, void *mem, size_t cap)
{
    a->base = (uint8_t *)mem;
    a->cap = cap;
    a->used = 0;
}

static inline void kz_arena_reset(kz_arena *a) { a->used = 0; }

/* Zeroed memory aligned to 8 bytes, or NULL when the arena is exhausted. */
void *kz_arena_alloc(kz_arena *a, size_t n);
/* The same without zeroing, for callers that initialise what they use (the decoder clears
 * only the CHOICE alternative it fills, not the whole union of every E2AP message). */
void *kz_arena_alloc_uninit(kz_arena *a, size_t n);

#endif
