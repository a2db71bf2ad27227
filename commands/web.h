/*
 * The read-only web page (docs/web.md) on the bot's HTTP listener:
 * web_service adds its routes at start; each request is answered only
 * while web.enabled is set and the asker shows web.token (a bearer
 * header, the cookie a ?token= link sets) or comes through the trusted
 * reverse proxy with the header naming who they are.
 */
#ifndef OPSBOT_COMMANDS_WEB_H
#define OPSBOT_COMMANDS_WEB_H

struct bot_service;
struct httpd_request;
struct config;

extern const struct bot_service web_service;

/* What an asker may see. */
enum web_access {
	WEB_DENIED,		/* 401 */
	WEB_ALLOWED,
	WEB_TOKEN_IN_URL,	/* allowed: set the cookie, drop ?token= */
};

/*
 * Decides a request against c's web section; *who (may be NULL) points
 * at a static word or into the request for the log. Pure: tested alone.
 */
enum web_access web_access(const struct config *c,
	    const struct httpd_request *req, char *who, unsigned long size);

#define WEB_COOKIE	"opsbot_web"

#endif
