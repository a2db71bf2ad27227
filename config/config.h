/*
 * The bot's configuration: one JSON file (comments allowed), or the
 * embedded default when there is none. Loading checks the whole file and
 * reports every problem with its exact place and the fix, e.g.
 *   hosts[2].port: expected an integer 1-65535, got "ssh"
 * A loaded config is immutable; a reload builds a new one and swaps it.
 */
#ifndef OPSBOT_CONFIG_H
#define OPSBOT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"
#include "log.h"

struct strlist {
	char	**v;
	size_t	  n;
};

enum host_transport {
	HOST_LOCAL,
	HOST_SSH,
	HOST_FIXTURE,		/* replays captured output: tests, demos */
};

struct cfg_log {
	char	*name;		/* what users type: "app" */
	char	*path;		/* absolute path on the host */
};

struct cfg_mount {
	char	*path;
	int	 warn_pct;
	int	 crit_pct;
};

/* Something a host runs that /health checks and /restart may restart. */
struct cfg_service {
	char	*name;		/* what users type */
	char	*unit;		/* systemd unit, or NULL */
	char	*process;	/* process name for pgrep -x, or NULL */
	char	*restart;	/* shell command from the config, or NULL */
};

/* An AutoSys client on a host, and the jobs the bot may touch. */
struct cfg_jobs {
	char		*autorep;	/* command path, default "autorep" */
	char		*sendevent;	/* default "sendevent" */
	struct strlist	 names;		/* job names or globs (*, ?) */
};

/* A command a checklist may run on a host (command_ok). */
struct cfg_hcommand {
	char	*name;		/* "pending_tx" */
	char	*line;		/* run by /bin/sh on the host, as written */
};

struct cfg_host {
	char			*name;
	enum host_transport	 transport;
	char			*address;	/* ssh: host or ssh_config alias */
	int			 port;		/* ssh; 0: ssh_config decides */
	char			*user;		/* ssh; NULL: ssh_config decides */
	char			*identity_file;
	char			*fixture;	/* fixture: its directory */
	struct strlist		 tags;
	struct cfg_log		*logs;
	size_t			 nlogs;
	struct cfg_service	*services;
	size_t			 nservices;
	struct cfg_mount	*mounts;
	size_t			 nmounts;
	struct cfg_jobs		*jobs;		/* NULL: no jobs source */
	struct cfg_hcommand	*commands;	/* for checklists */
	size_t			 ncommands;
};

enum host_key_checking {
	HOST_KEYS_STRICT,	/* "yes": known_hosts must match */
	HOST_KEYS_ACCEPT_NEW,	/* trust on first use, refuse changes */
	HOST_KEYS_OFF,		/* "no": for throwaway test hosts only */
};

/* A host of a metrics source listed by hand (metrics_sources[].hosts). */
struct cfg_metrics_host {
	char		*name;		/* what users type */
	char		*match;		/* the host label's value; NULL: name */
	struct strlist	 tags;
};

/*
 * A PromQL engine (Prometheus, Thanos, Mimir, VictoriaMetrics) the bot
 * asks for node_exporter series: the hosts it knows are fleet hosts,
 * beside (or as well as) hosts[] over ssh (docs/metrics.md).
 */
struct cfg_metrics_source {
	char			*name;
	char			*url;		/* no "/" at the end */
	char			*token;		/* bearer; secret, or NULL */
	char			*user;		/* basic auth, with password */
	char			*password;	/* secret, or NULL */
	int64_t			 timeout_s;	/* one query */
	char			*job;		/* up{job=...}; "" any job */
	char			*host_label;	/* "instance": port cut off */
	char			*fstype_exclude;	/* regex, or "" */
	int			 disk_warn_pct;	/* hosts[].mounts' defaults */
	int			 disk_crit_pct;
	struct strlist		 tag_labels;	/* label values become tags */
	struct cfg_metrics_host	*hosts;		/* none: every host found */
	size_t			 nhosts;
};

/* How the bot reaches hosts: deadlines, limits, ssh options. */
struct cfg_remote {
	int64_t			 timeout_s;	/* hard deadline per probe */
	int			 output_limit;	/* bytes kept per probe */
	int			 concurrency;	/* hosts probed at once */
	int64_t			 connect_timeout_s;
	char			*ssh_command;
	char			*ssh_config;	/* -F FILE, or NULL */
	enum host_key_checking	 host_key_checking;
	char			*known_hosts;	/* or NULL: ssh's default */
	int			 reuse_connections;
	int64_t			 control_persist_s;
	int64_t			 log_window_s;	/* /health error count window */
	char			*error_pattern;	/* what counts as an error line */
};

struct cfg_role {
	char		*name;
	struct strlist	 commands;	/* command names, or "*" */
	struct strlist	 inherits;	/* role names */
};

struct cfg_user {
	char		*name;
	char		*platform;	/* console, slack, mattermost or "*" */
	char		*id;		/* platform user id, "*", or NULL */
	struct strlist	 roles;
};

struct cfg_command {
	char		*name;
	int		 enabled;
	struct strlist	 channels;	/* empty: any channel */
};

struct cfg_schedule {
	char	*name;
	char	*cron;
	char	*run;		/* command text, e.g. "/sod" */
	char	*channel;	/* "slack:#ops", "mattermost:ID", "console" */
	int	 enabled;
	int	 business_days;	/* skip weekends and bot.holidays */
	int64_t	 grace_s;	/* run late after downtime within this */
};

/*
 * A team's own command (custom_commands[]): a run template whose
 * {param}s are typed values from chat, each quoted for the shell as one
 * word when the command runs (see docs/custom-commands.md).
 */
enum cparam_type {
	CPARAM_HOST,		/* a host of the command's hosts */
	CPARAM_CHOICE,		/* one of choices */
	CPARAM_INT,		/* min..max */
	CPARAM_DURATION,	/* "15m"; substituted as seconds */
	CPARAM_JOB,		/* a job the host's jobs.names allow */
	CPARAM_WORD,		/* matches pattern, anchored */
	CPARAM_TEXT,		/* the rest of the line, one argument */
};

struct cfg_cparam {
	char		*name;		/* {name} in run; NAME in the usage */
	int		 type;		/* enum cparam_type */
	char		*help;		/* or NULL */
	struct strlist	 choices;	/* choice */
	int		 min, max;	/* int */
	char		*pattern;	/* word: POSIX ERE, whole value */
	char		*def;		/* or NULL: required */
};

/* One piece of a run template: shell text from the config, or a {param}. */
struct cfg_tpart {
	char	*text;		/* literal (braces unescaped), or NULL */
	int	 param;		/* index into params, or -1 */
};

struct cfg_custom {
	char			*name;		/* "/archive-logs" without "/" */
	char			*help;
	struct strlist		 hosts;		/* host names, tags or "all" */
	char			*run;		/* the template as written */
	struct cfg_tpart	*parts;		/* run, parsed at load */
	size_t			 nparts;
	struct cfg_cparam	*params;
	size_t			 nparams;
	int			 role;		/* 0 viewer, 1 operator, 2 admin */
	int			 confirm;
	int64_t			 timeout_s;	/* 0: remote.timeout */
	int			 output_limit;	/* 0: remote.output_limit */
};

/*
 * A log engine /search asks (log_engines[], docs/search.md): Splunk's
 * search/jobs/export or Loki's query_range, with a secret token.
 */
enum log_engine_kind {
	LOGENG_SPLUNK,
	LOGENG_LOKI,
};

struct cfg_log_engine {
	char		*name;
	int		 kind;		/* enum log_engine_kind */
	char		*url;		/* base URL, no trailing "/" */
	char		*token;		/* secret, or NULL */
	int		 auth_scheme;	/* 0 Bearer, 1 Splunk, 2 Basic */
	char		*user;		/* Basic: the user, token its password */
	char		*tenant;	/* Loki: X-Scope-OrgID, or NULL */
	int64_t		 timeout_s;
	int		 max_results;	/* the cap of one answer */
	char		*ui_url;	/* the engine's UI, or NULL: no link */
	char		*ui_datasource;	/* Loki: Grafana's data source UID */
	int64_t		 since_s;	/* default --since */
	int		 raw_role;	/* raw queries: 0 viewer .. 2 admin */
};

/*
 * A named search (searches[]): a query template whose {param}s are
 * typed like a custom command's; q.run is the query, q.hosts ["all"].
 */
struct cfg_search {
	struct cfg_custom	 q;
	char			*engine;	/* or NULL: the only engine */
	int64_t			 since_s;	/* 0: the engine's */
};

enum check_kind {
	CHECK_SERVICES_RUNNING,
	CHECK_NO_OPEN_ALERTS,
	CHECK_JOBS_STATUS,
	CHECK_FILE_FRESH,
	CHECK_DISK_BELOW,
	CHECK_COMMAND_OK,
};

/* One item of a checklist; which fields count depends on kind. */
struct cfg_check {
	char		*title;
	enum check_kind	 kind;
	char		*target;	/* host, tag or "all" */
	struct strlist	 services;	/* services_running; empty: all */
	char		*severity;	/* no_open_alerts: at or above */
	struct strlist	 jobs;		/* jobs_status: names or globs */
	char		*status;	/* jobs_status: expected, "SU" */
	int		 ended_after;	/* minutes after local midnight; -1 */
	char		*path;		/* file_fresh: path or glob */
	char		*log;		/* file_fresh: a named log instead */
	int64_t		 max_age_s;	/* file_fresh; 0: newer_than */
	int		 newer_than;	/* minutes after midnight; -1 */
	struct strlist	 mounts;	/* disk_below; empty: all */
	int		 max_pct;	/* disk_below; 0: each mount's warn */
	int		 via_metrics;	/* disk_below, services_running */
	char		*command;	/* command_ok: hosts[].commands name */
	char		*expect;	/* command_ok: regex on output */
};

struct cfg_checklist {
	char		*name;		/* "sod" */
	char		*title;		/* "SOD" */
	char		*mention;	/* on failure, or NULL */
	char		*compare_with;	/* that day's run of it ("sod"), or NULL */
	int		 handover;	/* add the day: alerts, reruns, restarts */
	struct cfg_check *checks;
	size_t		 nchecks;
};

/*
 * One node of the alert routing tree (Alertmanager's spirit): an alert
 * whose labels match goes to channels; children are tried first, and
 * the first matching child wins unless it says continue. Unset values
 * are inherited from the parent when the config is loaded.
 */
struct cfg_route {
	char		*path;		/* "alerts.route.routes[1]" */
	struct matchers	 matchers;	/* match + match_re */
	struct strlist	 channels;	/* "slack:#ops", "mattermost:ID", "console" */
	struct strlist	 group_by;	/* label names; "..." = every label */
	int64_t		 group_wait_s;
	int64_t		 group_interval_s;
	int64_t		 repeat_interval_s;
	char		*mention;	/* "@oncall" on critical, or NULL */
	/* A command line with {label}s offered as a button, or NULL. */
	char		*remediate;
	int		 remediate_auto;	/* run it, not only offer it */
	int64_t		 remediate_every_s;	/* per host, at most once */
	int		 cont;		/* continue to the next sibling */
	int		 ticket;	/* open a ServiceNow ticket per group */
	struct cfg_route *routes;
	size_t		 nroutes;
};

/* What a runbooks.map entry matches on. */
enum runbook_key {
	RUNBOOK_ALERTNAME,	/* an alert's alertname label */
	RUNBOOK_SERVICE,	/* a hosts[].services name, a service label */
	RUNBOOK_JOB,		/* an AutoSys job, a job label */
	RUNBOOK_TAG,		/* a host's tag */
};

/*
 * runbooks.map[]: where a problem's runbook is. The first entry (config
 * order) whose match fits wins, so specific entries go first.
 */
struct cfg_runbook_map {
	enum runbook_key	 key;
	char			*match;		/* the value, or a glob */
	char			*runbook;	/* http(s) URL, or a file of
						   runbooks.dir */
};

/* Is a runbooks.map runbook a URL (else a library file's name)? */
int	 config_runbook_is_url(const char *runbook);
/* "alertname", "service", "job", "tag". */
const char *config_runbook_key_name(enum runbook_key);

/*
 * incidents.auto_open[i]: an alert that matches (labels, and its host's
 * tags) opens an incident in channel, unless one of the same group
 * (group_by's labels) is open already: then it is linked to that one.
 */
struct cfg_incident_rule {
	struct matchers	 matchers;	/* match + match_re */
	struct strlist	 host_tags;	/* the alert's host has one; empty: any */
	struct strlist	 group_by;	/* default: alertname */
	char		*channel;	/* a receiver: "slack:#ops" */
	int		 severity;	/* of the incident, 1 .. 5 */
	char		*title;		/* or NULL: "ALERTNAME on HOST" */
	int		 ticket;	/* open its ServiceNow ticket too */
};

struct config {
	char	*source;	/* file path, or "(embedded default)" */

	struct {
		char		*name;
		char		*timezone;
		char		*data_dir;
		char		*log_file;	/* NULL: see docs/config.md */
		enum log_level	 log_level;
		int		 worker_threads;
		int64_t		 shutdown_grace_s;
		int64_t		 confirm_timeout_s;	/* Confirm buttons */
		int		 log_json;	/* log_format "json" */
		int64_t		 ready_link_silence_s;	/* /readyz */
		int64_t		 ready_outbox_age_s;	/* /readyz */
		struct strlist	 holidays;	/* "YYYY-MM-DD" */
	} bot;

	struct {
		int	 console_enabled;
		char	*console_prompt;
		char	*console_user;		/* NULL: the login name */

		int	 slack_enabled;
		char	*slack_app_token;	/* secret */
		char	*slack_bot_token;	/* secret */
		char	*slack_api_url;	/* ends with "/" */
		char	*slack_command;	/* "/opsbot" */
		int	 slack_answer_in_ack;	/* quick answers ride acks */

		double	 outbox_rate;		/* messages/s per channel */
		int	 outbox_burst;
		int64_t	 outbox_max_backoff_s;
		int	 outbox_max_attempts;	/* then failed for good */

		int	 mattermost_enabled;
		char	*mattermost_url;	/* no trailing "/" */
		char	*mattermost_prefix;	/* "!health db" */
		char	*mattermost_command;	/* "/opsbot" */
		char	*mattermost_command_token;	/* secret, or NULL */
		int	 mattermost_answer_in_response;	/* quick answers */
		char	*mattermost_actions_url;	/* or NULL: listener's */
		char	*mattermost_register_team_id;	/* or NULL */
		char	*mattermost_register_url;	/* or NULL */
		char	*mattermost_token;	/* secret */
		double	 mattermost_outbox_rate;	/* messages/s per channel */
		int	 mattermost_outbox_burst;
		/* Slash commands of their own ("/health"), each with its token. */
		struct cfg_mm_command {
			char	*trigger;	/* "health": no "/" */
			char	*token;		/* secret, or NULL: registered */
		}	*mattermost_commands;
		size_t	 mattermost_ncommands;
	} chat;

	struct cfg_remote	 remote;

	/* /tail: live log tails (commands/tail*.c). */
	struct {
		int	 max_running;	/* at once, for everyone */
		int	 max_per_user;
		int64_t	 default_s;	/* without --for */
		int64_t	 max_s;		/* --for's cap */
	} tail;

	struct {
		char	*listen_address;
		int	 listen_port;
		char	*default_channel;
		size_t	 max_body_bytes;
		int	 max_connections;	/* open on the listener */
		/* Bearer tokens per source (secrets); NULL: none required. */
		char	*alertmanager_token;
		char	*grafana_token;
		char	*generic_token;
		/*
		 * The Alertmanager API that sends us alerts (no trailing "/"),
		 * where /silence mirrors its silences; NULL: not mirrored.
		 */
		char	*alertmanager_api_url;
		char	*alertmanager_api_token;	/* secret, or NULL */
		struct cfg_route route;		/* the root of the tree */
		int	 route_from_default;	/* root channels: default_channel */
		int	 backlog_merge;		/* pending posts per channel */
		int	 checks_enabled;
		int64_t	 checks_interval_s;
		int	 checks_fire_after;
		int	 checks_resolve_after;
		int	 checks_log_errors;	/* per log per interval */
	} alerts;

	/* Ages after which old rows are deleted, in s; 0: kept forever. */
	struct {
		int64_t	 audit_s;
		int64_t	 alerts_s;	/* resolved alerts, closed notes */
		int64_t	 checklists_s;
		int64_t	 outbox_s;	/* delivered or failed messages */
		int64_t	 confirmations_s;	/* used or expired */
		int64_t	 disk_samples_s;	/* the web page's disk use */
	} retention;

	/*
	 * Alerts that open an incident by themselves, first match wins
	 * (config_incidents.c); none: only people open incidents.
	 */
	struct {
		struct cfg_incident_rule	*auto_open;
		size_t				 nauto_open;
	} incidents;

	/* The runbook library (/runbook); dir NULL: the feature is off. */
	struct {
		char			*dir;
		char			*base_url;	/* web page, or NULL */
		struct cfg_runbook_map	*map;		/* config order */
		size_t			 nmap;
		/* Confluence's search, beside the library; url NULL: off. */
		char			*confluence_url;	/* no "/" at end */
		char			*confluence_user;	/* or NULL: bearer */
		char			*confluence_token;	/* secret */
		struct strlist		 confluence_spaces;	/* keys */
		int64_t			 confluence_timeout_s;
	} runbooks;

	/* The read-only web page on the listener (docs/web.md). */
	struct {
		int	 enabled;
		char	*token;			/* secret, or NULL */
		char	*trusted_proxy;		/* peer address, or NULL */
		char	*trusted_proxy_header;	/* lower case */
	} web;
	/*
	 * ServiceNow tickets (tickets.servicenow); instance NULL: off. The
	 * secrets come from the environment or an owner-only *_file.
	 */
	struct {
		char	*instance;	/* "https://acme.service-now.com" */
		char	*user;		/* basic auth, with password */
		char	*password;
		char	*token;		/* OAuth bearer, instead of both */
		int64_t	 timeout_s;	/* one API call */
		char	*assignment_group;	/* or NULL: the instance's */
		char	*caller_id;
		char	*category;	/* when /ticket names none */
		char	*close_code;	/* on resolve */
		char	*channel;	/* where alert tickets are announced */
	} tickets;

	struct cfg_role		*roles;
	size_t			 nroles;
	struct cfg_user		*users;
	size_t			 nusers;
	struct cfg_host		*hosts;
	size_t			 nhosts;
	struct cfg_command	*commands;
	size_t			 ncommands;
	struct cfg_schedule	*schedules;
	size_t			 nschedules;
	struct cfg_checklist	*checklists;
	size_t			 nchecklists;
	struct cfg_custom	*custom;	/* custom_commands */
	size_t			 ncustom;
	struct cfg_log_engine	*log_engines;	/* log_engines */
	size_t			 nlog_engines;
	struct cfg_search	*searches;	/* searches */
	size_t			 nsearches;
	struct cfg_metrics_source *metrics;	/* metrics_sources */
	size_t			 nmetrics;
	/* How a fleet answer is cut down (the fleet section). */
	struct {
		int	 summary_over;	/* hosts; more: counts and the worst */
		int	 worst;		/* hosts listed in a summary */
	} fleet;
};

/* The built-in configuration used when no file is given. */
extern const char config_default_json[];

/*
 * Loads and checks a config. On success returns 0 and sets *out (free
 * with config_free). On failure returns -1 and appends one line per
 * problem to *errors as "PLACE: MESSAGE\n" (the caller owns errors).
 * config_load_text names the source "name" in messages.
 */
int	 config_load_file(const char *path, struct config **out,
	    struct buf *errors);
int	 config_load_text(const char *text, size_t len, const char *name,
	    struct config **out, struct buf *errors);
int	 config_load_default(struct config **out, struct buf *errors);
void	 config_free(struct config *);

const struct cfg_host *config_find_host(const struct config *,
	    const char *);
const struct cfg_service *config_find_service(const struct cfg_host *,
	    const char *);
const struct cfg_log *config_find_log(const struct cfg_host *, const char *);
const struct cfg_checklist *config_find_checklist(const struct config *,
	    const char *);
const struct cfg_hcommand *config_find_hcommand(const struct cfg_host *,
	    const char *);
const char *check_kind_name(enum check_kind);
/* Does a job name match the host's jobs.names (exact or glob)? */
int	 config_job_allowed(const struct cfg_jobs *, const char *job);
/*
 * Completes the embedded default's localhost once the data dir exists:
 * the bot's own log as "opsbot" and the data dir's mount. Returns 0, or
 * -1 and sets *cause.
 */
int	 config_complete_default(struct config *, char **cause);
const struct cfg_command *config_find_command(const struct config *,
	    const char *);

const struct cfg_custom *config_find_custom(const struct config *,
	    const char *name);
/* May cc run on h (h among its hosts, by name, tag or "all")? */
int	 config_custom_allows_host(const struct cfg_custom *,
	    const struct cfg_host *);
/*
 * Binds the words typed after a custom command's name to its parameters
 * (defaults for the optional ones left out; a text parameter takes the
 * rest of the words, joined by spaces). Each value is checked against
 * its type and normalised (a duration becomes seconds); a host must be
 * in the inventory and among cc's hosts, a job allowed on the host it
 * runs on (or on each of cc's hosts when it has no host parameter).
 * Returns 0 and sets *values (cc->nparams strings, as the template gets
 * them; free with config_custom_values_free), or -1 and sets *cause
 * ("days must be an integer from 1 to 90, got '9;rm'"; caller frees).
 */
int	 config_custom_bind(const struct config *, const struct cfg_custom *,
	    const char *const *words, int nwords, char ***values,
	    char **cause);
void	 config_custom_values_free(const struct cfg_custom *, char **values);
/* The log engine called name (NULL: the only one), or NULL. */
const struct cfg_log_engine *config_find_log_engine(const struct config *,
	    const char *name);
const struct cfg_search *config_find_search(const struct config *,
	    const char *name);
/* The type's name in messages and docs ("int"). */
const char *cparam_type_name(int type);

/* The metrics source called name, or NULL. */
const struct cfg_metrics_source *config_find_metrics(const struct config *,
	    const char *name);

/* Is s one of the list's strings? */
int	 config_strlist_has(const struct strlist *, const char *);

/*
 * The commands the bot has, for the checks of role grants, commands.*
 * keys and schedules' run. The config sits below the commands and does
 * not read their table: the composition root (main.c, through
 * cmd_config_commands) and tests hand the names in once, before loading;
 * cmds must outlive every load. Until then command names go unchecked.
 */
struct config_cmd {
	const char	*name;
	const char	*alias;		/* or NULL */
};
void	 config_set_commands(const struct config_cmd *cmds, size_t n);

/* Registers every secret in c with the log redactor. */
void	 config_register_secrets(const struct config *);

/*
 * Tests and docs: fn(arg, path, keys) for every object the loader checks
 * ("hosts[2]", and the NULL-terminated keys it allows there), so the
 * documented keys can be checked against the loader's. NULL: off.
 */
typedef void (*config_keys_fn)(void *arg, const char *path,
	    const char *const *keys);
void	 config_on_keys(config_keys_fn, void *arg);

#endif
