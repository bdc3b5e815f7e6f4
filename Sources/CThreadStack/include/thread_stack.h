#ifndef HYBRID_THREAD_STACK_H
#define HYBRID_THREAD_STACK_H

#include <stddef.h>
#include <stdint.h>

/// The lowest address and the size of the calling thread's stack; returns 0 on success.
int hybrid_thread_stack(uintptr_t *low, size_t *size);

#endif
