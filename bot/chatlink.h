/*
 * The state of each chat platform's live connection, as its adapter
 * reports it: up or down, and when the last frame arrived. /metrics
 * shows it and /readyz judges it. Adapters call these on the loop
 * thread; reading is safe from any thread.
 */
#ifndef OPSBOT_CHATLINK_H
#define OPSBOT_CHATLINK_H

#include <stdint.h>

struct chatlink_info {
	int	 up;
	int64_t	 changed_mono;	/* ms of the last up/down change */
	int64_t	 inbound_mono;	/* ms of the last frame, or 0 */
	int	 ups;		/* connections opened so far */
};

/* The link went up (a hello) or down (closed, refused, lost). */
void	 chatlink_state(const char *platform, int up);
/* A frame (message, pong) arrived: the link is alive, not just open. */
void	 chatlink_inbound(const char *platform);
/* Fills *info; returns 0, or -1 if platform never reported. */
int	 chatlink_get(const char *platform, struct chatlink_info *info);
/* Forgets every platform (tests). */
void	 chatlink_reset(void);

#endif
