/*
 * A growable, always NUL-terminated byte buffer, embedded by its owner
 * (git strbuf style): buf_init() before use, buf_release() after.
 */
#ifndef OPSBOT_BUF_H
#define OPSBOT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* NUL-terminated; never NULL after init */
	size_t	 len;		/* bytes used, excluding the NUL */
	size_t	 cap;		/* bytes allocated */
};

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);	/* frees data; buf may be reused */
void	 buf_clear(struct buf *);	/* len = 0, keeps the memory */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Hands the string to the caller, who frees it; the buf is reset. */
char	*buf_detach(struct buf *);

#endif
