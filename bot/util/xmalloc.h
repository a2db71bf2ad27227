/*
 * Allocation that never returns NULL: out of memory aborts with a message,
 * so callers need no NULL checks and every remaining error path is a real
 * one (I/O, parsing, remote failures).
 */
#ifndef OPSBOT_XMALLOC_H
#define OPSBOT_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* All return memory the caller frees with free(). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* Frees *p and sets it to NULL. */
#define xfree(p) do { free(p); (p) = NULL; } while (0)

#endif
