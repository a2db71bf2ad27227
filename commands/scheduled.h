/* The scheduler's fire callback in the running bot (scheduled.c). */
#ifndef OPSBOT_SCHEDULED_H
#define OPSBOT_SCHEDULED_H

#include <stdint.h>

struct cfg_schedule;

/* arg is the struct bot. */
void	 scheduled_fire(void *arg, const struct cfg_schedule *,
	    const char *trigger, int64_t due_ms);

#endif
