/*
 * arena.c — bump allocator: a list of blocks, the first one kept on reset.
 */
#include "util/arena.h"

#include <stdalign.h>
#include <stdlib.h>

#include "util/common.h"

typedef struct tw_arena_block {
    struct tw_arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} tw_arena_block_t;

struct tw_arena {
    tw_arena_block_t *head; /* current block; the first block is last in the list */
    size_t block_size;
    size_t total_used;
};

static tw_arena_block_t *block_new(size_t size)
{
    tw_arena_block_t *block = tw_malloc(sizeof(*block) + size);
    block->next = NULL;
    block->size = size;
    block->used = 0;
    return block;
}

tw_arena_t *tw_arena_new(size_t block_size)
{
    tw_arena_t *arena = tw_calloc(1, sizeof(*arena));
    arena->block_size = block_size ? block_size : 8192;
    arena->head = block_new(arena->block_size);
    return arena;
}

void tw_arena_destroy(tw_arena_t *arena)
{
    tw_arena_block_t *block, *next;

    if (arena == NULL)
        return;
    for (block = arena->head; block; block = next) {
        next = block->next;
        free(block);
    }
    free(arena);
}

void *tw_arena_alloc(tw_arena_t *arena, size_t size)
{
    const size_t align = alignof(max_align_t);
    size_t rounded = (size + align - 1) & ~(align - 1);
    tw_arena_block_t *block = arena->head;
    void *p;

    if (rounded == 0)
        rounded = align;
    if (block->size - block->used < rounded) {
        size_t want = rounded > arena->block_size ? rounded : arena->block_size;
        block = block_new(want);
        block->next = arena->head;
        arena->head = block;
    }
    p = block->data + block->used;
    block->used += rounded;
    arena->total_used += rounded;
    return p;
}

void tw_arena_reset(tw_arena_t *arena)
{
    tw_arena_block_t *block = arena->head;

    /* Free every block but the oldest (the last in the list). */
    while (block->next) {
        tw_arena_block_t *next = block->next;
        free(block);
        block = next;
    }
    block->used = 0;
    arena->head = block;
    arena->total_used = 0;
}

size_t tw_arena_used(const tw_arena_t *arena)
{
    return arena->total_used;
}
