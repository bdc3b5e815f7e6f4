#define _GNU_SOURCE
#include "thread_stack.h"

#include <pthread.h>

// pthread_getattr_np reads /proc/self/maps for the main thread, so the answer is kept per thread.
static __thread uintptr_t cached_low = 0;
static __thread size_t cached_size = 0;

static int thread_stack_uncached(uintptr_t *low, size_t *size);

int hybrid_thread_stack(uintptr_t *low, size_t *size) {
    if (cached_low == 0) {
        uintptr_t found_low = 0;
        size_t found_size = 0;
        if (thread_stack_uncached(&found_low, &found_size) != 0 || found_low == 0) return -1;
        cached_low = found_low;
        cached_size = found_size;
    }
    *low = cached_low;
    *size = cached_size;
    return 0;
}

static int thread_stack_uncached(uintptr_t *low, size_t *size) {
#if defined(__linux__)
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return -1;
    void *base = NULL;
    size_t length = 0;
    int result = pthread_attr_getstack(&attributes, &base, &length);
    pthread_attr_destroy(&attributes);
    if (result != 0) return -1;
    *low = (uintptr_t)base;
    *size = length;
    return 0;
#elif defined(__APPLE__)
    pthread_t self = pthread_self();
    uintptr_t high = (uintptr_t)pthread_get_stackaddr_np(self);
    size_t length = pthread_get_stacksize_np(self);
    *low = high - length;
    *size = length;
    return 0;
#else
    return -1;
#endif
}
