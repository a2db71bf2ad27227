/*
 * The probe kinds: for each thing opsbot reads on a host (the clock,
 * load, memory, disks, services, logs, files, AutoSys jobs, processes,
 * the inventory's own commands), the section its script adds to a probe
 * and the reading of that section into typed findings, in one file per
 * kind (probe_<kind>.c). Commands and checklists build probes only from
 * these and read them only through these: no shell text outside
 * adapters/hosts/ (tests/arch-noshell.sh checks commands/).
 *
 * A script function adds one or more sections to the probe's script;
 * values from the config or the chat are quoted by shquote only. A read
 * function returns 0 and fills its findings, or -1 when the section is
 * missing (output cut short) or unreadable; *cause, when given and
 * known, says why (caller frees). Every cause may be NULL.
 */
#ifndef OPSBOT_PROBES_H
#define OPSBOT_PROBES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "logcount.h"
#include "parse.h"
#include "probe.h"

/* ------------------------------------------------------ the kinds */

struct probe_kind {
	const char	*name;		/* "services" */
	const char	*sections;	/* "svc:" (a prefix), "df dfi" */
	const char	*stuck;		/* "the check of service ", or NULL */
};
/* One row per kind, ended by a row of NULLs (probe_kinds.c). */
extern const struct probe_kind probe_kinds[];

/*
 * The kind that writes section, or NULL; *rest (may be NULL) is what
 * follows its prefix ("app" of "svc:app").
 */
const struct probe_kind *probe_kind_of(const char *section,
	    const char **rest);
/*
 * Words for a section that never finished: "the check of service app",
 * or the name in backquotes ("`df`"). Caller frees.
 */
char	*probe_kind_label(const char *section);

/* ------------------------------------------------------ clock (now) */

/* Adds the "now" section: the host's epoch seconds and zone offset. */
void	 probe_now_script(struct probe *);
/* Reads it: remote epoch seconds and offset east of UTC in seconds. */
int	 probe_now_read(const struct probe *, int64_t *now, int *tz_offset);

/* ------------------------------------------- load and memory (system) */

/*
 * Adds "cpus", "loadavg", "uptime" and "meminfo", read by shell builtins
 * from /proc: a probe of a hundred hosts should not cost a hundred times
 * five processes on them.
 */
void	 probe_system_script(struct probe *);
/* Online CPUs from the "cpus" section, or 0 when unknown. */
long	 probe_cpus_read(const struct probe *);
int	 probe_uptime_read(const struct probe *, double *up_s);
int	 probe_loadavg_read(const struct probe *, struct parse_loadavg *,
	    char **cause);
int	 probe_memory_read(const struct probe *, struct parse_meminfo *,
	    char **cause);
/* Counts CPUs in a kernel list like "0-3,8,10-11"; 0 if unreadable. */
long	 probe_count_cpus(const char *list);

/* ------------------------------------------------------------- disks */

/*
 * Adds section (df -P, with inodes df -P -i) for paths; with no paths,
 * the host's configured mounts, and "/" when it has none.
 */
void	 probe_disks_script(struct probe *, const char *section,
	    const struct strlist *paths, int inodes);
/* Reads section's df table (release with parse_df_free). */
int	 probe_disks_read(const struct probe *, const char *section,
	    struct parse_df *, char **cause);

/* ---------------------------------------------------------- services */

/*
 * Adds section (NULL: "svc:NAME"): one line, "active" or what systemd
 * says of the unit; for a service watched by process name, "active" or
 * "inactive".
 */
void	 probe_service_script(struct probe *, const char *section,
	    const struct cfg_service *);
/*
 * Reads it (NULL: "svc:NAME" of name): the first line into line (cleared
 * first; "" when the host said nothing) and its meaning into *st.
 */
int	 probe_service_read(const struct probe *, const char *section,
	    const char *name, struct buf *line, enum parse_svc *st);
/*
 * Adds "restart" (the service's configured restart command, the admin's
 * own shell text, or systemctl restart of its unit; a failure ends the
 * script), a pause of settle_s seconds, and then "check" as
 * probe_service_script writes it.
 */
void	 probe_restart_script(struct probe *, const struct cfg_service *,
	    int settle_s);

/* -------------------------------------------------------------- logs */

/* Adds "log:NAME": pattern's lines in the end of the log, counted. */
void	 probe_logcount_script(struct probe *, const struct cfg_log *,
	    const char *pattern);
/* What probe_logcount_read found, besides the counts. */
enum probe_log {
	PROBE_LOG_READ,		/* counted: see struct logcount */
	PROBE_LOG_CUT,		/* no section: output cut short */
	PROBE_LOG_UNREADABLE,	/* the host cannot read the file */
	PROBE_LOG_GARBLED,	/* unexpected output */
};
/* Reads "log:NAME" against the window before now (release out). */
enum probe_log probe_logcount_read(const struct probe *,
	    const struct cfg_log *, int64_t now, int tz_offset,
	    int64_t window_s, struct logcount *out);

/* What /logs asks of a log's end. */
struct probe_tail {
	const char	*path;
	const char	*pattern;	/* fixed string, or NULL */
	int64_t		 lines;		/* at most this many */
	int		 since;		/* read back further, to filter */
};
/*
 * Adds "log": the last lines of a log (those containing pattern), or
 * when since is set a longer tail for the caller to cut by time; a log
 * it cannot read ends the script with status 3.
 */
void	 probe_tail_script(struct probe *, const struct probe_tail *);
/* Reads "log" (the lines, as the host printed them) into out. */
int	 probe_tail_read(const struct probe *, struct buf *out);

/*
 * Adds "now" and "files": the modification time and name of each file
 * matching glob path (a glob from the config, never run as code); NULL
 * path adds an empty section.
 */
void	 probe_files_script(struct probe *, const char *path);
/*
 * The newest file of "files": its time and name (cut to len). Returns 1,
 * 0 when no file matched, or -1 when the section is missing.
 */
int	 probe_files_newest(const struct probe *, int64_t *mtime,
	    char *name, size_t len);

/* ----------------------------------------------------------- AutoSys */

/* A job glob ("EOD_*") as an autorep -j pattern (caller frees). */
char	*probe_autosys_pattern(const char *glob);
/* Adds section: autorep -j for glob's pattern (empty when none match). */
void	 probe_autorep_script(struct probe *, const char *section,
	    const char *glob);
/* Reads section's job table (release with parse_jobs_free). */
int	 probe_autorep_read(const struct probe *, const char *section,
	    struct parse_jobs *, char **cause);
/* Adds "sendevent": force-starts job; a failure ends the script. */
void	 probe_sendevent_script(struct probe *, const char *job);

/* --------------------------------------------------------- processes */

/*
 * Adds the top rows processes by memory ("ps"), or by the CPU they used
 * over one second sampled on the host ("cpu", then "ps" for them).
 */
void	 probe_top_script(struct probe *, int rows, int by_mem);
/* Why probe_top_read failed. */
enum probe_top {
	PROBE_TOP_READ,
	PROBE_TOP_NO_PS,	/* no ps table (cause says more) */
	PROBE_TOP_NO_SAMPLE,	/* no CPU sample */
};
/* Reads the table, CPU columns from the sample (release parse_ps_free). */
enum probe_top probe_top_read(const struct probe *, int by_mem,
	    struct parse_ps *, char **cause);

/* ------------------------------------------ the inventory's commands */

/* Adds "cmd": the command line as written, its output and status. */
void	 probe_command_script(struct probe *, const struct cfg_hcommand *);
/*
 * Reads "cmd": the output without its final newlines into out, and the
 * status into *rc; -1 when the command did not finish.
 */
int	 probe_command_read(const struct probe *, struct buf *out, int *rc);

/* ----------------------------------------------- the custom commands */

/*
 * The command line cc's template makes of values (one per parameter,
 * as config_custom_bind gives them): the template's own text as the
 * config wrote it, and every value through shquote_buf as one word.
 * Appended to out; what the preview shows and the script runs.
 */
void	 probe_custom_line(const struct cfg_custom *, char *const *values,
	    struct buf *out);
/* Adds "cmd" running that line; read it with probe_command_read. */
void	 probe_custom_script(struct probe *, const struct cfg_custom *,
	    char *const *values);

#endif
