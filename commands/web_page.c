/*
 * What every page of the web page shares (see web_page.h): the frame,
 * escaping, times, state colours and the one stylesheet.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cron.h"
#include "escape.h"
#include "web_page.h"

static const struct {
	const char	*path;
	const char	*label;
} web_nav[] = {
	{ "/", "Overview" },
	{ "/alerts", "Alerts" },
	{ "/hosts", "Hosts" },
	{ "/checklists", "Checklists" },
	{ "/incidents", "Incidents" },
	{ "/runbooks", "Runbooks" },
};

const char web_css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;"
	"background:#f5f6f8}\n"
	"header{background:#1d2330;color:#fff;padding:10px 20px}\n"
	"header b{margin-right:24px}\nheader nav{display:inline}\n"
	"nav a{color:#c8d0e0;margin-right:16px;text-decoration:none}\n"
	"nav a.on{color:#fff;border-bottom:2px solid #5fa8ff}\n"
	"main{padding:16px 20px}\n"
	"h1{font-size:20px;margin:0 0 12px}\n"
	"h2{font-size:16px;margin:18px 0 8px}\n"
	"table{border-collapse:collapse;background:#fff;"
	"box-shadow:0 1px 2px #0002;margin-bottom:12px}\n"
	"th,td{padding:5px 10px;border-bottom:1px solid #e4e7ec;"
	"text-align:left;vertical-align:top}\n"
	"th{background:#eef0f4;font-weight:600}\n"
	".ok{background:#2e9e5b;color:#fff}\n"
	".warn{background:#e9a23b;color:#1d2330}\n"
	".crit{background:#d64545;color:#fff}\n"
	".unknown{background:#b9bec8;color:#1d2330}\n"
	".tag{border-radius:3px;padding:1px 6px;font-size:12px;"
	"font-weight:600}\n"
	".cell{width:46px;text-align:center;font-size:12px;"
	"border:2px solid #fff}\n"
	".labels{font:12px monospace;color:#555}\n"
	".muted{color:#6b7280}\n"
	".cards{display:flex;gap:12px;flex-wrap:wrap}\n"
	".card{background:#fff;box-shadow:0 1px 2px #0002;padding:12px 16px;"
	"min-width:150px;color:inherit;text-decoration:none}\n"
	".card .n{font-size:28px;font-weight:700;background:none;color:inherit}\n"
	".card .n.crit{color:#d64545}\n.card .n.warn{color:#c77d12}\n"
	"svg.spark{vertical-align:middle;background:#f0f2f5}\n"
	"pre{background:#fff;padding:12px;box-shadow:0 1px 2px #0002;"
	"white-space:pre-wrap;max-width:100ch}\n"
	"ol.timeline li{margin-bottom:4px}\n";

void
web_text(struct buf *b, const char *s)
{
	if (s != NULL)
		escape_html(b, s);
}

void
web_head(struct buf *b, const char *title, const char *nav)
{
	size_t	 i;

	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>");
	web_text(b, title);
	buf_adds(b, " \xe2\x80\x94 opsbot</title>"
	    "<link rel=\"stylesheet\" href=\"/web.css\"></head>\n<body>"
	    "<header><b>opsbot</b><nav>");
	for (i = 0; i < sizeof web_nav / sizeof web_nav[0]; i++)
		buf_addf(b, "<a href=\"%s\"%s>%s</a>", web_nav[i].path,
		    nav != NULL && strcmp(nav, web_nav[i].path) == 0 ?
		    " class=\"on\"" : "", web_nav[i].label);
	buf_adds(b, "</nav></header>\n<main><h1>");
	web_text(b, title);
	buf_adds(b, "</h1>\n");
}

void
web_foot(struct buf *b)
{
	buf_adds(b, "</main></body></html>\n");
}

void
web_time(struct buf *b, const char *tz, int64_t ms)
{
	struct tm	 tm;
	char		 s[32];
	time_t		 t = (time_t)(ms / 1000);

	if (ms <= 0) {
		buf_adds(b, "\xe2\x80\x94");
		return;
	}
	if (cron_localtime(ms / 1000, tz, &tm) != 0)
		gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm);
	buf_adds(b, s);
}

void
web_age(struct buf *b, int64_t now_ms, int64_t ms)
{
	char	 s[32];
	int64_t	 secs = now_ms > ms ? (now_ms - ms) / 1000 : 0;

	/* Whole minutes past the first hour: seconds are noise there. */
	duration_format(secs >= 3600 ? secs / 60 * 60 : secs, s, sizeof s);
	buf_adds(b, s);
}

const char *
web_state_class(const char *state)
{
	if (state == NULL)
		return "unknown";
	if (strcmp(state, "OK") == 0 || strcmp(state, "closed") == 0)
		return "ok";
	if (strcmp(state, "WARN") == 0 || strcmp(state, "warning") == 0 ||
	    strcmp(state, "acknowledged") == 0 || strcmp(state, "silenced") == 0)
		return "warn";
	if (strcmp(state, "CRIT") == 0 || strcmp(state, "UNREACHABLE") == 0 ||
	    strcmp(state, "critical") == 0 || strcmp(state, "firing") == 0 ||
	    strcmp(state, "open") == 0)
		return "crit";
	return "unknown";
}
