#include "internal.h"

#include <papi.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- one-time library initialisation ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -1;
static char init_reason[512] = "PAPI was not initialised";

/* PAPI identifies threads through this callback; pthread_self is the identity the pinned worker
 * thread actually has (Swift's Thread is a pthread), so counters attach to the right thread. */
static unsigned long thread_id(void) { return (unsigned long)pthread_self(); }

static void papi_init_once(void) {
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    if (rc != PAPI_VER_CURRENT) {
        if (rc > 0)
            snprintf(init_reason, sizeof init_reason,
                     "PAPI_library_init: header/library version mismatch (library 0x%x, header 0x%x)", rc,
                     PAPI_VER_CURRENT);
        else
            snprintf(init_reason, sizeof init_reason, "PAPI_library_init failed: %s", PAPI_strerror(rc));
        return;
    }
    rc = PAPI_thread_init(thread_id);
    if (rc != PAPI_OK) {
        snprintf(init_reason, sizeof init_reason, "PAPI_thread_init failed: %s", PAPI_strerror(rc));
        return;
    }
    init_status = 0;
    init_reason[0] = '\0';
}

int plat_papi_init(char *err, size_t errlen) {
    pthread_once(&init_once, papi_init_once);
    if (init_status != 0) plat_msg(err, errlen, "%s", init_reason);
    return init_status;
}

/* ---- event sets ---- */

struct plat_counters {
    int count;
    char **names;
    int *available;
    char **reasons;
    int eventset;
    int running;
    int nvalues; /* events in the PAPI set, i.e. available ones */
    pthread_t owner;
};

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) memcpy(d, s, n);
    return d;
}

static int read_paranoid(void) {
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    if (f == NULL) return -100;
    int v = -100;
    if (fscanf(f, "%d", &v) != 1) v = -100;
    fclose(f);
    return v;
}

static int is_perf_software_event(const char *name) {
    static const char *soft[] = {"TASK-CLOCK", "CPU-CLOCK", "PAGE-FAULTS", "CONTEXT-SWITCHES",
                                 "CPU-MIGRATIONS", "MINOR-FAULTS", "MAJOR-FAULTS", "ALIGNMENT-FAULTS",
                                 "EMULATION-FAULTS", "FAULTS", "CS", "MIGRATIONS"};
    const char *p = strncmp(name, "perf::", 6) == 0 ? name + 6 : name;
    for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++)
        if (strcasecmp(p, soft[i]) == 0) return 1;
    return 0;
}

/* The bare PAPI error ("Event does not exist") rarely tells a user what to do; add the facts that
 * usually explain it: a disabled perf_event component, the paranoid level, or a hypervisor that
 * hides the PMU. */
static void set_reason(plat_counters *c, int i, const char *step, int rc, const char *hint) {
    char buf[1536];
    int n = snprintf(buf, sizeof buf, "%s: %s failed: %s", c->names[i], step, PAPI_strerror(rc));
    if (hint != NULL && n < (int)sizeof buf) n += snprintf(buf + n, sizeof buf - (size_t)n, " (%s)", hint);

    int cidx = PAPI_get_component_index("perf_event");
    const PAPI_component_info_t *ci = cidx >= 0 ? PAPI_get_component_info(cidx) : NULL;
    int paranoid = read_paranoid();
    if (ci != NULL && ci->disabled && n < (int)sizeof buf)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "; perf_event component disabled: %s", ci->disabled_reason);
    if ((rc == PAPI_EPERM || rc == PAPI_ESYS || (ci != NULL && ci->disabled)) && paranoid != -100 &&
        n < (int)sizeof buf)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "; kernel.perf_event_paranoid=%d", paranoid);

    const PAPI_hw_info_t *hw = PAPI_get_hardware_info();
    int looks_like_event = strncmp(c->names[i], "PAPI_", 5) == 0 || strstr(c->names[i], "::") != NULL;
    if (hw != NULL && hw->virtualized && looks_like_event && !is_perf_software_event(c->names[i]) &&
        n < (int)sizeof buf)
        snprintf(buf + n, sizeof buf - (size_t)n,
                 "; running under a hypervisor (%s), which usually does not expose hardware counters",
                 hw->virtual_vendor_string[0] ? hw->virtual_vendor_string : "unknown vendor");

    free(c->reasons[i]);
    c->reasons[i] = dupstr(buf);
    c->available[i] = 0;
}

static void reject_all(plat_counters *c, const char *why) {
    for (int i = 0; i < c->count; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s: %s", c->names[i], why);
        free(c->reasons[i]);
        c->reasons[i] = dupstr(buf);
        c->available[i] = 0;
    }
}

/* Empties the PAPI set and re-adds the events still marked available, in index order, so the
 * values PAPI_stop returns stay in index order. An event that fails to re-add is rejected. */
static void rebuild(plat_counters *c) {
    PAPI_cleanup_eventset(c->eventset);
    c->nvalues = 0;
    for (int i = 0; i < c->count; i++) {
        if (!c->available[i]) continue;
        int rc = PAPI_add_named_event(c->eventset, c->names[i]);
        if (rc == PAPI_OK)
            c->nvalues++;
        else
            set_reason(c, i, "PAPI_add_named_event (re-adding)", rc, NULL);
    }
}

/* See plat_counters_simulate_start_failure in platform.h. */
static char *start_fault_event = NULL;

void plat_counters_simulate_start_failure(const char *name) {
    free(start_fault_event);
    start_fault_event = name != NULL ? dupstr(name) : NULL;
}

static int try_start_stop(plat_counters *c) {
    if (c->nvalues == 0) return PAPI_OK;
    if (start_fault_event != NULL)
        for (int i = 0; i < c->count; i++)
            if (c->available[i] && strcmp(c->names[i], start_fault_event) == 0) return PAPI_ECMP;
    int rc = PAPI_start(c->eventset);
    if (rc != PAPI_OK) return rc;
    long long *scratch = calloc((size_t)c->nvalues, sizeof *scratch);
    PAPI_stop(c->eventset, scratch);
    free(scratch);
    return PAPI_OK;
}

plat_counters *plat_counters_create(const char *const *names, int count) {
    plat_counters *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->count = count < 0 ? 0 : count;
    c->names = calloc((size_t)c->count + 1, sizeof *c->names);
    c->reasons = calloc((size_t)c->count + 1, sizeof *c->reasons);
    c->available = calloc((size_t)c->count + 1, sizeof *c->available);
    c->eventset = PAPI_NULL;
    c->owner = pthread_self();
    if (c->names == NULL || c->reasons == NULL || c->available == NULL) {
        plat_counters_destroy(c);
        return NULL;
    }
    for (int i = 0; i < c->count; i++) {
        c->names[i] = dupstr(names[i] ? names[i] : "");
        c->reasons[i] = dupstr("");
    }

    char why[512];
    if (plat_papi_init(why, sizeof why) != 0) {
        reject_all(c, why);
        return c;
    }
    int rc = PAPI_create_eventset(&c->eventset);
    if (rc != PAPI_OK) {
        snprintf(why, sizeof why, "PAPI_create_eventset failed: %s", PAPI_strerror(rc));
        c->eventset = PAPI_NULL;
        reject_all(c, why);
        return c;
    }

    for (int i = 0; i < c->count; i++) {
        /* PAPI_add_named_event reports an unknown name as "Not supported", which reads like a
         * hardware limitation; asking for the code first tells a typo from a missing counter. */
        int code = 0;
        rc = PAPI_event_name_to_code(c->names[i], &code);
        if (rc != PAPI_OK) {
            set_reason(c, i, "PAPI_event_name_to_code", rc, "no event of this name is known to PAPI on this machine");
            continue;
        }
        rc = PAPI_add_named_event(c->eventset, c->names[i]);
        if (rc == PAPI_OK) {
            c->available[i] = 1;
            c->nvalues++;
        } else {
            set_reason(c, i, "PAPI_add_named_event", rc, NULL);
        }
    }

    /* Adding only validates names against the tables; a VM may still refuse to open the hardware
     * counters when the set starts. One start/stop finds out. If it fails, we cannot tell which
     * event is to blame, so rebuild the set one event at a time, keeping those with which the set
     * still starts. Conflicts between events (too few counters) are caught the same way. */
    rc = try_start_stop(c);
    if (rc == PAPI_OK) return c;

    int *wanted = calloc((size_t)c->count + 1, sizeof *wanted);
    if (wanted == NULL) {
        reject_all(c, "out of memory while isolating events that fail to start");
        PAPI_cleanup_eventset(c->eventset);
        c->nvalues = 0;
        return c;
    }
    for (int i = 0; i < c->count; i++) {
        wanted[i] = c->available[i];
        c->available[i] = 0;
    }
    rebuild(c); /* now empty */
    for (int i = 0; i < c->count; i++) {
        if (!wanted[i]) continue;
        rc = PAPI_add_named_event(c->eventset, c->names[i]);
        if (rc != PAPI_OK) {
            set_reason(c, i, "PAPI_add_named_event", rc, "alongside the events kept so far");
            continue;
        }
        c->nvalues++;
        c->available[i] = 1;
        rc = try_start_stop(c);
        if (rc != PAPI_OK) {
            set_reason(c, i, "PAPI_start", rc, "the event was accepted but the set would not start with it");
            rebuild(c);
        }
    }
    free(wanted);
    return c;
}

void plat_counters_destroy(plat_counters *c) {
    if (c == NULL) return;
    if (c->eventset != PAPI_NULL) {
        /* Best effort: PAPI may refuse this from a thread other than the owner; leaking one event
         * set then is better than crashing in a destructor. */
        if (c->running) {
            long long *scratch = calloc((size_t)c->nvalues + 1, sizeof *scratch);
            PAPI_stop(c->eventset, scratch);
            free(scratch);
        }
        PAPI_cleanup_eventset(c->eventset);
        PAPI_destroy_eventset(&c->eventset);
    }
    for (int i = 0; i < c->count; i++) {
        if (c->names) free(c->names[i]);
        if (c->reasons) free(c->reasons[i]);
    }
    free(c->names);
    free(c->reasons);
    free(c->available);
    free(c);
}

int plat_counters_count(const plat_counters *c) { return c->count; }

int plat_counters_is_available(const plat_counters *c, int i) {
    return (i >= 0 && i < c->count) ? c->available[i] : 0;
}

const char *plat_counters_reason(const plat_counters *c, int i) {
    if (i < 0 || i >= c->count || c->reasons[i] == NULL) return "";
    return c->reasons[i];
}

static int check_owner(const plat_counters *c, const char *what, char *err, size_t errlen) {
    if (pthread_equal(c->owner, pthread_self())) return 0;
    plat_msg(err, errlen,
             "%s called from a thread other than the one that created the counter set; perf_event "
             "counters count the thread that opened them, so create the set on the measured thread",
             what);
    return -1;
}

int plat_counters_start(plat_counters *c, char *err, size_t errlen) {
    if (check_owner(c, "start", err, errlen) != 0) return -1;
    if (c->running) {
        plat_msg(err, errlen, "start called while already counting");
        return -1;
    }
    if (c->nvalues == 0) { /* nothing to count is not an error: the caller reports no values */
        c->running = 1;
        return 0;
    }
    int rc = PAPI_start(c->eventset);
    if (rc != PAPI_OK) {
        plat_msg(err, errlen, "PAPI_start failed: %s", PAPI_strerror(rc));
        return -1;
    }
    c->running = 1;
    return 0;
}

int plat_counters_stop(plat_counters *c, long long *values, char *err, size_t errlen) {
    if (check_owner(c, "stop", err, errlen) != 0) return -1;
    if (!c->running) {
        plat_msg(err, errlen, "stop called without a matching start");
        return -1;
    }
    c->running = 0;
    for (int i = 0; i < c->count; i++) values[i] = 0;
    if (c->nvalues == 0) return 0;
    long long *raw = calloc((size_t)c->nvalues, sizeof *raw);
    if (raw == NULL) {
        plat_msg(err, errlen, "out of memory reading counters");
        return -1;
    }
    int rc = PAPI_stop(c->eventset, raw);
    if (rc != PAPI_OK) {
        free(raw);
        plat_msg(err, errlen, "PAPI_stop failed: %s", PAPI_strerror(rc));
        return -1;
    }
    for (int i = 0, k = 0; i < c->count; i++)
        if (c->available[i]) values[i] = raw[k++];
    free(raw);
    return 0;
}
