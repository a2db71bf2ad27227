/*
 * What the config loader's files share (the files of config/ only; the public API
 * is config.h). The loader is one pass over the JSON that appends every
 * problem to ctx->errors; the scalar keys of each section are rows of
 * cfg_sections[] (config_table.c), read by one generic loader; arrays and
 * cross-field checks are written by hand in the files named after them.
 */
#ifndef OPSBOT_CONFIG_INT_H
#define OPSBOT_CONFIG_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

#define CONFIG_MAX_SIZE		(4 * 1024 * 1024)
#define CONFIG_SECRET_MAX	4096

struct cfg_ctx {
	struct buf	*errors;
	int		 nerrors;
	/* Known once chat is loaded: where a channel without a platform goes. */
	int		 slack_on;
	int		 mattermost_on;
};

/* ------------------------------------------------------------ the rows */

enum cfg_type {
	CFG_BOOL,	/* int: 0 or 1 */
	CFG_INT,	/* int, min-max */
	CFG_SIZE,	/* size_t, min-max */
	CFG_DOUBLE,	/* double, min-max */
	CFG_STRING,	/* char *, NULL when absent without a default */
	CFG_ENUM,	/* int (or an enum): the index of the word in words */
	CFG_WORD,	/* char *: a copy of the word of words given */
	CFG_DURATION,	/* int64_t seconds; at least min when min > 0 */
	CFG_AGE,	/* int64_t seconds, or "forever": 0 */
	CFG_SECRET,	/* char *; "key" or "key_file", see cfg_secret */
	CFG_OBJECT,	/* an object or array, loaded by hand */
};

/* Row flags. */
#define CFG_F_NAME	0x01	/* a name people type (cfg_is_name) */
#define CFG_F_NONEMPTY	0x02	/* a string that must not be "" */
#define CFG_F_HAND	0x04	/* listed here, loaded by hand (no field) */
#define CFG_F_ENV_OVER	0x08	/* env wins over the file */
#define CFG_F_REQUIRED	0x10	/* a string that must be given, not "" */

/* Marks a row whose value has no field of its own (CFG_F_HAND). */
#define CFG_NOFIELD	((size_t)-1)

struct cfg_ctx;

/* A check of one loaded string value at path; may rewrite *value. */
typedef void (*cfg_check_fn)(struct cfg_ctx *, const char *path,
	    char **value);

/*
 * One key of a section: its JSON name, its type, where it is stored
 * (offset in struct config), bounds and default, the environment
 * variable that fills it when the file does not (or that overrides the
 * file, CFG_F_ENV_OVER), and the first sentence of its meaning in
 * docs/config.md (unit/configdocs compares the two). The offset is in
 * struct config, or for an element section in the element's struct.
 */
struct cfg_key {
	const char		*key;
	enum cfg_type		 type;
	size_t			 offset;
	double			 min, max;	/* INT, SIZE, DOUBLE, DURATION */
	double			 def;		/* numbers, bools, enum index */
	const char		*def_str;	/* STRING default, or NULL */
	const char *const	*words;		/* ENUM, WORD */
	const char		*env;
	int			 flags;
	cfg_check_fn		 check;		/* STRING: after loading */
	const char		*what;		/* DOUBLE: "a number of ..." */
	const char		*doc_default;	/* docs, when not a value */
	const char		*doc;
};

struct cfg_section {
	const char		*path;		/* "chat.slack"; "" the root */
	const struct cfg_key	*keys;
	size_t			 nkeys;
	/*
	 * Each element of an array ("schedules", "hosts[].jobs"): path is
	 * its docs heading, its fields are in the element's struct, and
	 * whoever loads the array frees them (cfg_free_rows).
	 */
	int			 element;
};

/* Every section, root first; NULL-terminated (config_table.c). */
extern const struct cfg_section *const cfg_sections[];
const struct cfg_section *cfg_section_find(const char *path);
extern const struct cfg_section cfg_schedule_section;	/* schedules[] */
extern const struct cfg_section cfg_jobs_section;	/* hosts[].jobs */
extern const struct cfg_section cfg_mount_section;	/* hosts[].mounts[] */
extern const struct cfg_section cfg_command_section;	/* commands.NAME */
extern const struct cfg_section cfg_host_section;	/* hosts[] */
extern const struct cfg_section cfg_service_section;	/* hosts[].services[] */
extern const struct cfg_section cfg_user_section;	/* users[] */
/* incidents.auto_open[] */
extern const struct cfg_section cfg_incident_rule_section;
/* The support day's sections (config_table_day.c). */
extern const struct cfg_section cfg_runbooks_section;
extern const struct cfg_section cfg_confluence_section;
extern const struct cfg_section cfg_web_section;
extern const struct cfg_section cfg_incidents_section;
extern const struct cfg_section cfg_tickets_section;
extern const struct cfg_section cfg_servicenow_section;
extern const struct cfg_section cfg_tail_section;	/* tail */
/* Checks the key tables share: a URL without its trailing "/"; a channel. */
void	 cfg_key_base_url(struct cfg_ctx *, const char *, char **);
void	 cfg_key_channel(struct cfg_ctx *, const char *, char **);
extern const struct cfg_section cfg_custom_section;	/* custom_commands[] */
extern const struct cfg_section cfg_cparam_section;	/* ...[].params[] */
/* The fleet's metrics sources (config_table_metrics.c). */
extern const struct cfg_section cfg_metrics_section;	/* metrics_sources[] */
extern const struct cfg_section cfg_mhost_section;	/* ...[].hosts[] */
extern const struct cfg_section cfg_fleet_section;	/* fleet */

/*
 * Checks obj's keys against the section's rows, then loads every row
 * that is not CFG_F_HAND into c. obj may be NULL (all defaults).
 */
void	 cfg_load_section(struct cfg_ctx *, const cJSON *obj,
	    const char *path, struct config *c);
/* The same for an element section s, at path, into base. */
void	 cfg_load_rows(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const struct cfg_section *s, void *base);
/* Frees the string fields of an element section's rows in base. */
void	 cfg_free_rows(const struct cfg_section *s, void *base);
/* Frees every string field the rows name (not c itself). */
void	 cfg_free_sections(struct config *c);
/* Registers every CFG_SECRET field of c with the log redactor. */
void	 cfg_secrets_sections(const struct config *c);
/* The docs' text for a row's default ("`\"opsbot\"`", "none"); static. */
const char *cfg_key_default_doc(const struct cfg_key *, char *out,
	    size_t len);

/* ----------------------------------------------------------- helpers */

void	 cfg_error(struct cfg_ctx *, const char *path, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 cfg_type_error(struct cfg_ctx *, const char *path,
	    const char *expected, const cJSON *got);
/* "hosts" + "port" -> "hosts.port"; "hosts" + 2 -> "hosts[2]". Caller frees. */
char	*cfg_path_key(const char *parent, const char *key);
char	*cfg_path_index(const char *parent, int i);
void	 cfg_check_keys(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *const *allowed);
/* ${NAME} expanded; a new string (caller frees), or NULL after an error. */
char	*cfg_expand(struct cfg_ctx *, const char *path, const char *s);
/* 1 and *out (caller frees) when present, 0 when absent, -1 on error. */
int	 cfg_string(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, char **out);
void	 cfg_string_def(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, const char *def, char **out);
/* Present and non-empty (caller frees), or NULL after an error. */
char	*cfg_string_req(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key);
void	 cfg_int(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, int min, int max, int def, int *out);
void	 cfg_bool(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, int def, int *out);
void	 cfg_duration(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, int64_t def, int64_t *out);
int	 cfg_enum(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, const char *const *words, int def);
void	 cfg_strlist(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key, struct strlist *out);
void	 cfg_strlist_copy(struct strlist *dst, const struct strlist *src);
void	 strlist_free(struct strlist *);
/* The secret in key or in the file key_file (caller frees), or NULL. */
char	*cfg_secret(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key);
const cJSON *cfg_object(struct cfg_ctx *, const cJSON *obj, const char *path,
	    const char *key);
const cJSON *cfg_array(struct cfg_ctx *, const cJSON *obj, const char *key,
	    const char *what);
int	 cfg_is_name(const char *);
void	 cfg_check_name(struct cfg_ctx *, const char *path, const char *key,
	    const char *s);
void	 cfg_no_empty(struct cfg_ctx *, const char *path, const char *key,
	    const char *s);
int	 cfg_has_prefix(const char *s, const char *prefix);
void	 cfg_unknown_name(struct cfg_ctx *, const char *path,
	    const char *what, const char *name, const char *const *known);


/* ---------------------------------------------- sections kept by hand */

/* config_incidents.c */
void	 cfg_load_incidents(struct cfg_ctx *, const cJSON *root,
	    struct config *);
void	 cfg_incidents_free(struct config *);

/* config_tickets.c: tickets.servicenow, after the alerts' routes. */
void	 cfg_load_tickets(struct cfg_ctx *, const cJSON *root, struct config *);
/* config_routes.c */
void	 cfg_load_alerts(struct cfg_ctx *, const cJSON *root, struct config *);
void	 cfg_route_free(struct cfg_route *);
/* Through chan_parse (channel.h): one parser for every channel key. */
void	 cfg_check_channel(struct cfg_ctx *, const char *path, const char *);
void	 cfg_check_channels(struct cfg_ctx *, const char *path,
	    const struct strlist *);
void	 cfg_schedule_receiver(struct cfg_ctx *, const char *path,
	    struct cfg_schedule *);

/* config_users.c */
void	 cfg_load_roles(struct cfg_ctx *, const cJSON *root, struct config *);
void	 cfg_check_roles(struct cfg_ctx *, const struct config *);
void	 cfg_load_users(struct cfg_ctx *, const cJSON *root, struct config *);

/*
 * config_cmds.c: the names config_set_commands gave, and c's own
 * custom_commands (c may be NULL: the built-in ones only).
 */
int	 cfg_commands_known(void);
/* NULL-terminated (the caller frees the array, not the names). */
const char **cfg_command_names(const struct config *c);
/* Is it a command's name? Always 1 when no names were given. */
int	 cfg_is_command(const struct config *c, const char *);
/* The name of the command called name (or with that alias), or NULL. */
const char *cfg_command_find(const struct config *c, const char *name);
const char *cfg_command_suggest(const struct config *c, const char *name);

/* config_hosts.c */
void	 cfg_load_hosts(struct cfg_ctx *, const cJSON *root, struct config *);

/* config_commands.c */
void	 cfg_load_commands(struct cfg_ctx *, const cJSON *root,
	    struct config *);
void	 cfg_load_schedules(struct cfg_ctx *, const cJSON *root,
	    struct config *);

/* config_custom.c: custom_commands (before roles: they name them). */
void	 cfg_load_custom(struct cfg_ctx *, const cJSON *root, struct config *);
/* After the hosts: hosts and tags named, defaults against the inventory. */
void	 cfg_check_custom(struct cfg_ctx *, const struct config *);
void	 cfg_custom_free(struct cfg_custom *);
/*
 * A custom command's params[] into cc, and cc->run cut into parts at
 * path; named searches (config_search.c) type their queries with them.
 */
void	 cfg_load_params(struct cfg_ctx *, const cJSON *e, const char *path,
	    struct cfg_custom *cc);
void	 cfg_template_parse(struct cfg_ctx *, const char *path,
	    struct cfg_custom *cc);
/* config_search.c: log_engines and searches, after the hosts. */
void	 cfg_load_search(struct cfg_ctx *, const cJSON *root, struct config *);
void	 cfg_search_free(struct config *);
void	 cfg_search_secrets(const struct config *);
extern const struct cfg_section cfg_log_engine_section;	/* log_engines[] */
extern const struct cfg_section cfg_search_section;	/* searches[] */
/* Last: each route's remediate names a command (custom ones included). */
void	 cfg_check_remediate(struct cfg_ctx *, const struct config *);
/*
 * config_custom_bind.c: one value typed for p, checked against its type
 * (a job only for its syntax: the host decides the rest). Returns 0 and
 * sets *norm (what the template gets; caller frees), or -1 and *cause.
 */
int	 cfg_custom_value(const struct config *, const struct cfg_custom *,
	    const struct cfg_cparam *, const char *value, char **norm,
	    char **cause);

/* config_metrics.c: metrics_sources[] and fleet, after the hosts. */
void	 cfg_load_metrics(struct cfg_ctx *, const cJSON *root, struct config *);
void	 cfg_metrics_free(struct config *);
void	 cfg_metrics_secrets(const struct config *);

/* config_checklists.c */
/* config_runbooks.c: the runbooks section, map included. */
void	 cfg_load_runbooks(struct cfg_ctx *, const cJSON *root,
	    struct config *);
void	 cfg_free_runbooks(struct config *);

void	 cfg_load_checklists(struct cfg_ctx *, const cJSON *root,
	    struct config *);
void	 cfg_check_checklists(struct cfg_ctx *, const struct config *);
void	 cfg_check_free(struct cfg_check *);

#endif
