/*
 * The read-only web page (docs/web.md): the pieces every page shares and
 * one function per page. Pages are plain server-rendered HTML with one
 * stylesheet (/web.css) and no JavaScript; every string from hosts,
 * alerts, chat or files goes through web_text() (escape_html), never
 * into the markup as it is.
 */
#ifndef OPSBOT_COMMANDS_WEB_PAGE_H
#define OPSBOT_COMMANDS_WEB_PAGE_H

#include <stdint.h>

#include "buf.h"

struct bot;

/* The document's start: title, stylesheet, the navigation (nav marked). */
void	 web_head(struct buf *, const char *title, const char *nav);
void	 web_foot(struct buf *);
/* s as HTML text or attribute value; NULL as "". */
void	 web_text(struct buf *, const char *s);
/* ms as "2026-12-04 21:30" in tz (the bot's zone). */
void	 web_time(struct buf *, const char *tz, int64_t ms);
/* How long ago ms was: "3h12m", "45s". */
void	 web_age(struct buf *, int64_t now_ms, int64_t ms);
/* The CSS class of a state word: ok, warn, crit, unknown. */
const char *web_state_class(const char *state);
/* The stylesheet served at /web.css. */
extern const char web_css[];

/*
 * The pages: each appends a whole document to out, or returns the HTTP
 * status to answer instead (404) with out untouched.
 */
int	 web_overview_page(struct bot *, struct buf *out);
int	 web_alerts_page(struct bot *, struct buf *out);
int	 web_hosts_page(struct bot *, struct buf *out);
int	 web_checklists_page(struct bot *, struct buf *out);
int	 web_incidents_page(struct bot *, struct buf *out);
int	 web_incident_page(struct bot *, int64_t id, struct buf *out);
/* The incident's RCA draft as Markdown (text/markdown). */
int	 web_incident_rca(struct bot *, int64_t id, struct buf *out);
int	 web_runbooks_page(struct bot *, struct buf *out);
/* A runbook file as it is (text/markdown); name within runbooks.dir. */
int	 web_runbook_file(struct bot *, const char *name, struct buf *out);

#endif
