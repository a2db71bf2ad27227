/*
 * The /metrics route (see metrics_http.h). Counters are bumped where
 * things happen; what is a state rather than an event (queue depths,
 * open alerts, file sizes) is read here, at scrape time, so it cannot
 * drift from the truth.
 */

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bot.h"
#include "chatlink.h"
#include "clock.h"
#include "httpd.h"
#include "metrics.h"
#include "metrics_http.h"
#include "store.h"
#include "store_health.h"

static void
metrics_http_outbox(void *arg, const char *platform, int64_t pending,
    int64_t oldest_ms)
{
	int64_t	 now = *(const int64_t *)arg;

	metrics_set("opsbot_outbox_depth", (double)pending, "platform",
	    platform, NULL);
	metrics_set("opsbot_outbox_oldest_age_seconds", oldest_ms > 0 &&
	    now > oldest_ms ? (double)(now - oldest_ms) / 1000.0 : 0,
	    "platform", platform, NULL);
}

static void
metrics_http_checklist(void *arg, const char *name, int passed, int total,
    int64_t finished_ms)
{
	(void)arg;
	metrics_set("opsbot_checklist_last_run_success", passed == total ? 1 :
	    0, "checklist", name, NULL);
	metrics_set("opsbot_checklist_last_run_timestamp_seconds",
	    (double)finished_ms / 1000.0, "checklist", name, NULL);
}

/* Resident memory and open descriptors, from /proc (Linux). */
static void
metrics_http_process(void)
{
	FILE		*f;
	long		 pages = 0, rss = 0;
	DIR		*d;
	struct dirent	*de;
	size_t		 fds = 0;

	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) == 2)
			metrics_set("opsbot_process_resident_memory_bytes",
			    (double)rss * (double)sysconf(_SC_PAGESIZE), NULL);
		fclose(f);
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				fds++;
		closedir(d);
		/* Less the one opendir holds. */
		metrics_set("opsbot_process_open_fds", (double)(fds - 1), NULL);
	}
}

/* Seconds since each adapter's last frame. */
static void
metrics_http_links(struct bot *b)
{
	struct chatlink_info	 li;
	int64_t			 now = clock_mono_ms();
	size_t			 i;
	const char		*name;

	for (i = 0; i < b->nchats; i++) {
		name = b->chats[i]->ops->name;
		if (chatlink_get(name, &li) != 0 || li.inbound_mono == 0)
			continue;
		metrics_set("opsbot_chat_last_inbound_age_seconds",
		    (double)(now - li.inbound_mono) / 1000.0, "platform",
		    name, NULL);
	}
}

void
metrics_http_collect(struct bot *b, struct buf *out)
{
	int64_t	 now = clock_now_ms();
	size_t	 i;

	/* Every platform that sends, at 0 when nothing waits. */
	for (i = 0; i < b->nchats; i++) {
		if (b->chats[i]->ops->post == NULL)
			continue;
		metrics_set("opsbot_outbox_depth", 0, "platform",
		    b->chats[i]->ops->name, NULL);
		metrics_set("opsbot_outbox_oldest_age_seconds", 0, "platform",
		    b->chats[i]->ops->name, NULL);
	}
	(void)store_outbox_summary(b->store, metrics_http_outbox, &now, NULL);
	(void)store_checklist_last(b->store, metrics_http_checklist, NULL,
	    NULL);
	for (i = 0; i < b->nservices; i++)
		if (b->services[i]->collect != NULL)
			b->services[i]->collect(b);
	metrics_http_links(b);
	metrics_set("opsbot_store_size_bytes",
	    (double)store_size_bytes(b->store), NULL);
	metrics_http_process();
	metrics_render(out);
}

static void
metrics_http_get(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	(void)req;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_http_collect(arg, &resp->body);
}

void
metrics_http_start(struct bot *b)
{
	httpd_route(b->httpd, "GET", "/metrics", metrics_http_get, b);
}
