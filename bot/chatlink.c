/* Chat link state (see chatlink.h): a handful of platforms, a flat array. */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "chatlink.h"
#include "clock.h"
#include "metrics.h"

#define CHATLINK_MAX	8

struct chatlink {
	char			 platform[32];
	struct chatlink_info	 info;
};

static pthread_mutex_t	 chatlink_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chatlink	 chatlinks[CHATLINK_MAX];
static size_t		 nchatlinks;

/* The platform's slot, created on first use; lock held. NULL if full. */
static struct chatlink *
chatlink_find(const char *platform, int create)
{
	size_t	 i;

	for (i = 0; i < nchatlinks; i++)
		if (strcmp(chatlinks[i].platform, platform) == 0)
			return &chatlinks[i];
	if (!create || nchatlinks == CHATLINK_MAX)
		return NULL;
	memset(&chatlinks[nchatlinks], 0, sizeof chatlinks[0]);
	snprintf(chatlinks[nchatlinks].platform,
	    sizeof chatlinks[0].platform, "%s", platform);
	return &chatlinks[nchatlinks++];
}

void
chatlink_state(const char *platform, int up)
{
	struct chatlink	*l;
	int		 reconnect = 0;

	pthread_mutex_lock(&chatlink_lock);
	if ((l = chatlink_find(platform, 1)) != NULL) {
		if (l->info.up != up || l->info.changed_mono == 0)
			l->info.changed_mono = clock_mono_ms();
		l->info.up = up;
		/* Every hello is a connection (a refresh too). */
		if (up) {
			reconnect = l->info.ups > 0;
			l->info.ups++;
			/* A hello is a frame: silence counts from here. */
			l->info.inbound_mono = clock_mono_ms();
		}
	}
	pthread_mutex_unlock(&chatlink_lock);
	metrics_set("opsbot_chat_link_up", up ? 1 : 0, "platform", platform,
	    NULL);
	if (reconnect)
		metrics_add("opsbot_chat_reconnects_total", 1, "platform",
		    platform, NULL);
}

void
chatlink_inbound(const char *platform)
{
	struct chatlink	*l;

	pthread_mutex_lock(&chatlink_lock);
	if ((l = chatlink_find(platform, 1)) != NULL)
		l->info.inbound_mono = clock_mono_ms();
	pthread_mutex_unlock(&chatlink_lock);
}

int
chatlink_get(const char *platform, struct chatlink_info *info)
{
	struct chatlink	*l;

	pthread_mutex_lock(&chatlink_lock);
	if ((l = chatlink_find(platform, 0)) != NULL)
		*info = l->info;
	pthread_mutex_unlock(&chatlink_lock);
	return l != NULL ? 0 : -1;
}

void
chatlink_reset(void)
{
	pthread_mutex_lock(&chatlink_lock);
	nchatlinks = 0;
	pthread_mutex_unlock(&chatlink_lock);
}
