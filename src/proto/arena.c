/*
 * arena.c -- the bump allocator behind every decode (see include/kizuna/arena.h), and the
 * error-code strings (kizuna/error.h), which every module links anyway.
 */
#include <string.h>

#include "kizuna/arena.h"
#include "kizuna/error.h"

void *kz_arena_alloc_uninit(kz_arena *a, size_t n)
{
    size_t start = (a->used + 7u) & ~(size_t)7u;
    if (start < a->used || n > a->cap || start > a->cap - n)
        return NULL;
    a->used = start + n;
    return a->base + start;
}

void *kz_arena_alloc(kz_arena *a, size_t n)
{
    void *p = kz_arena_alloc_uninit(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

const char *kz_strerror(int code)
{
    switch (code) {
    case 0: return "success";
#define KZ__ERR_STR(name, c, text) case c: return text;
    KZ_ERRNO_MAP(KZ__ERR_STR)
#undef KZ__ERR_STR
    default: return "unknown error";
    }
}
