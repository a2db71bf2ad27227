/*
 * What the outbox's own other files (outbox_direct.c) need of it: a
 * platform's sender and the worker pool. Not for other modules.
 */
#ifndef OPSBOT_OUTBOX_INT_H
#define OPSBOT_OUTBOX_INT_H

#include "outbox.h"

struct workers;

/* The sender registered for platform: 0, or -1 when there is none. */
int		 outbox_sender(struct outbox *, const char *platform,
		    outbox_send_fn *fn, void **arg);
/* The pool sends run on, or NULL (inline: tests). */
struct workers	*outbox_workers(struct outbox *);

#endif
