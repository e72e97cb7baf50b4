/*
 * arena.h — a bump allocator for per-record scratch memory (decoded values,
 * array elements). Everything allocated from it dies together at
 * tw_arena_reset, which keeps the first block so steady-state processing
 * does not call malloc.
 */
#ifndef TW_ARENA_H
#define TW_ARENA_H

#include <stddef.h>

typedef struct tw_arena tw_arena_t;

tw_arena_t *tw_arena_new(size_t block_size);
void tw_arena_destroy(tw_arena_t *arena); /* accepts NULL */
/* Returns memory aligned for any scalar type; never NULL. */
void *tw_arena_alloc(tw_arena_t *arena, size_t size);
/* Frees everything allocated since the last reset. */
void tw_arena_reset(tw_arena_t *arena);
/* Bytes currently handed out (for tests and limits). */
size_t tw_arena_used(const tw_arena_t *arena);

#endif /* TW_ARENA_H */
