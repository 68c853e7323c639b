/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-config"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "brd-config.h"

G_DEFINE_QUARK (brd-config-error-quark, brd_config_error)

static const char * const role_names[] = { NULL, "viewer", "operator", "admin" };

const char *
brd_role_to_string (BrdRole role)
{
  if (role <= BRD_ROLE_NONE || role > BRD_ROLE_ADMIN)
    return "none";
  return role_names[role];
}

BrdRole
brd_role_from_string (const char *str)
{
  for (guint i = BRD_ROLE_VIEWER; i <= BRD_ROLE_ADMIN; i++)
    {
      if (g_strcmp0 (role_names[i], str) == 0)
        return i;
    }
  return BRD_ROLE_NONE;
}

static void
brd_token_free (gpointer data)
{
  BrdToken *token = data;

  g_free (token->name);
  g_free (token->token);
  g_free (token);
}

BrdConfig *
brd_config_new (void)
{
  BrdConfig *self = g_new0 (BrdConfig, 1);

  self->listen = g_strdup ("127.0.0.1:8600");
  self->processor = g_strdup ("report");
  self->exec_timeout = 60.0;
  self->workers = 8;
  self->progress_interval_ms = 100;
  self->daily_budget = 500.0;
  self->tokens = g_ptr_array_new_with_free_func (brd_token_free);
  self->max_body_bytes = 1024 * 1024;
  self->health_interval_ms = 5000;
  self->replay_capacity = 4096;
  self->retry_backoff_ms = 1000;
  self->shutdown_grace_ms = 10000;

  return self;
}

void
brd_config_free (BrdConfig *self)
{
  if (self == NULL)
    return;

  g_free (self->config_file);
  g_free (self->listen);
  g_free (self->database);
  g_free (self->reports_dir);
  g_free (self->processor);
  g_free (self->exec_command);
  g_free (self->rate_card);
  g_free (self->compat);
  g_ptr_array_unref (self->tokens);
  g_free (self);
}

char *
brd_config_default_database (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "batch-runner", NULL);
  g_autofree char *path = g_build_filename (dir, "batch-runner.db", NULL);

  return g_strconcat ("sqlite://", path, NULL);
}

/* "ROLE:TOKEN" or "ROLE:NAME:TOKEN". The name is what the audit log shows;
 * without one, the role is the name. */
gboolean
brd_config_add_token (BrdConfig   *self,
                      const char  *spec,
                      GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 3);
  BrdToken *token;
  guint n = g_strv_length (parts);
  BrdRole role;

  if (n < 2 || (role = brd_role_from_string (parts[0])) == BRD_ROLE_NONE)
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0,
                   "Invalid token \"%s\": expected ROLE:TOKEN or ROLE:NAME:TOKEN "
                   "with ROLE one of viewer, operator, admin", spec);
      return FALSE;
    }

  token = g_new0 (BrdToken, 1);
  token->role = role;
  token->name = g_strdup (n == 3 ? parts[1] : parts[0]);
  token->token = g_strdup (parts[n - 1]);

  if (token->token[0] == '\0')
    {
      brd_token_free (token);
      g_set_error (error, BRD_CONFIG_ERROR, 0, "Invalid token \"%s\": the token is empty", spec);
      return FALSE;
    }

  g_ptr_array_add (self->tokens, token);
  return TRUE;
}

gboolean
brd_config_split_listen (const char  *listen,
                         char       **host,
                         guint16     *port,
                         GError     **error)
{
  const char *colon;
  char *end = NULL;
  guint64 value;

  colon = listen ? strrchr (listen, ':') : NULL;
  if (colon == NULL || colon == listen)
    goto invalid;

  errno = 0;
  value = g_ascii_strtoull (colon + 1, &end, 10);
  if (errno != 0 || end == colon + 1 || *end != '\0' || value > G_MAXUINT16)
    goto invalid;

  if (listen[0] == '[' && colon[-1] == ']')
    *host = g_strndup (listen + 1, colon - listen - 2);
  else
    *host = g_strndup (listen, colon - listen);
  *port = value;
  return TRUE;

invalid:
  g_set_error (error, BRD_CONFIG_ERROR, 0,
               "Invalid listen address \"%s\": expected ADDR:PORT", listen ? listen : "");
  return FALSE;
}

static gboolean
load_key_file (BrdConfig   *self,
               const char  *path,
               GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  const char *group = "service";

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return FALSE;

#define GET_STRING(key, field) G_STMT_START {                         \
    char *v = g_key_file_get_string (kf, group, key, NULL);            \
    if (v != NULL) { g_free (self->field); self->field = v; }          \
  } G_STMT_END
#define GET_NUMBER(key, field, getter) G_STMT_START {                 \
    if (g_key_file_has_key (kf, group, key, NULL)) {                   \
      self->field = getter (kf, group, key, &local_error);             \
      if (local_error != NULL) {                                       \
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), \
                                    "%s: [%s] %s: ", path, group, key); \
        return FALSE;                                                  \
      }                                                                \
    }                                                                  \
  } G_STMT_END

  GET_STRING ("listen", listen);
  GET_STRING ("database", database);
  GET_STRING ("reports-dir", reports_dir);
  GET_STRING ("processor", processor);
  GET_STRING ("exec-command", exec_command);
  GET_STRING ("rate-card", rate_card);
  GET_STRING ("compat", compat);
  GET_NUMBER ("exec-timeout", exec_timeout, g_key_file_get_double);
  GET_NUMBER ("workers", workers, g_key_file_get_integer);
  GET_NUMBER ("progress-interval-ms", progress_interval_ms, g_key_file_get_integer);
  GET_NUMBER ("daily-budget", daily_budget, g_key_file_get_double);
  GET_NUMBER ("max-body-bytes", max_body_bytes, g_key_file_get_int64);
  GET_NUMBER ("health-interval-ms", health_interval_ms, g_key_file_get_integer);
  GET_NUMBER ("replay-capacity", replay_capacity, g_key_file_get_integer);
  GET_NUMBER ("retry-backoff-ms", retry_backoff_ms, g_key_file_get_integer);
  GET_NUMBER ("shutdown-grace-ms", shutdown_grace_ms, g_key_file_get_integer);

#undef GET_STRING
#undef GET_NUMBER

  if (g_key_file_has_key (kf, group, "tokens", NULL))
    {
      g_auto(GStrv) specs = g_key_file_get_string_list (kf, group, "tokens", NULL, NULL);

      for (guint i = 0; specs && specs[i]; i++)
        {
          if (!brd_config_add_token (self, g_strstrip (specs[i]), error))
            return FALSE;
        }
    }

  return TRUE;
}

/* Finds --config before the other options are parsed, so that flags given
 * on the command line override what the file says. */
static char *
find_config_arg (int    argc,
                 char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--config") && i + 1 < argc)
        return g_strdup (argv[i + 1]);
      if (g_str_has_prefix (argv[i], "--config="))
        return g_strdup (argv[i] + strlen ("--config="));
    }
  return NULL;
}

gboolean
brd_config_parse (BrdConfig   *self,
                  int         *argc,
                  char      ***argv,
                  GError     **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *reports_dir = NULL;
  g_autofree char *processor = NULL;
  g_autofree char *exec_command = NULL;
  g_autofree char *rate_card = NULL;
  g_auto(GStrv) tokens = NULL;
  double exec_timeout = -1;
  double daily_budget = -1;
  int workers = -1;
  int progress_interval_ms = -1;
  int health_interval_ms = -1;
  int retry_backoff_ms = -1;
  int shutdown_grace_ms = -1;
  gint64 max_body_bytes = -1;
  gboolean version = FALSE;
  g_autofree char *compat = NULL;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file, "Configuration file (GKeyFile, group [service])", "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address to listen on (default 127.0.0.1:8600; port 0 picks a free port)", "ADDR:PORT" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database, "Database URL (sqlite:///path/to/file.db)", "URL" },
    { "reports-dir", 0, 0, G_OPTION_ARG_FILENAME, &reports_dir, "Folder for generated reports", "DIR" },
    { "processor", 0, 0, G_OPTION_ARG_STRING, &processor, "How leads are processed: report, exec or noop", "NAME" },
    { "exec-command", 0, 0, G_OPTION_ARG_STRING, &exec_command, "Command run per lead by the exec processor", "\"CMD ARGS\"" },
    { "exec-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &exec_timeout, "Seconds before an exec command is killed (default 60)", "SECONDS" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &workers, "Leads processed at once across all batches (default 8)", "N" },
    { "progress-interval-ms", 0, 0, G_OPTION_ARG_INT, &progress_interval_ms, "Coalescing interval for progress events (default 100)", "N" },
    { "health-interval-ms", 0, 0, G_OPTION_ARG_INT, &health_interval_ms, "Interval of health events on /events (default 5000)", "N" },
    { "retry-backoff-ms", 0, 0, G_OPTION_ARG_INT, &retry_backoff_ms, "First automatic retry delay; doubles per attempt (default 1000)", "N" },
    { "shutdown-grace-ms", 0, 0, G_OPTION_ARG_INT, &shutdown_grace_ms, "How long a stop waits for leads in flight (default 10000)", "N" },
    { "daily-budget", 0, 0, G_OPTION_ARG_DOUBLE, &daily_budget, "Daily budget in USD (default 500)", "USD" },
    { "rate-card", 0, 0, G_OPTION_ARG_FILENAME, &rate_card, "Rate card JSON (default: the shipped one)", "FILE" },
    { "token", 0, 0, G_OPTION_ARG_STRING_ARRAY, &tokens, "Accept this bearer token (repeatable)", "ROLE:TOKEN" },
    { "max-body-bytes", 0, 0, G_OPTION_ARG_INT64, &max_body_bytes, "Largest request body accepted (default 1 MiB)", "N" },
    { "compat", 0, 0, G_OPTION_ARG_STRING, &compat,
      "API profile: full (default) or base, only the FastAPI service's contract under /api", "PROFILE" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  self->config_file = find_config_arg (*argc, *argv);
  if (self->config_file != NULL && !load_key_file (self, self->config_file, error))
    return FALSE;

  context = g_option_context_new ("[import-leads FILE.csv|FILE.json|--sample] - the Batch Runner service");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Stores leads and batches, processes them on a worker pool, "
                                "prices them and serves the Batch Runner REST + WebSocket API.");
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (version)
    {
      g_print ("batch-runnerd %s\n", PACKAGE_VERSION);
      exit (EXIT_SUCCESS);
    }

#define TAKE(field) G_STMT_START { if (field != NULL) { g_free (self->field); self->field = g_steal_pointer (&field); } } G_STMT_END
  TAKE (listen);
  TAKE (database);
  TAKE (reports_dir);
  TAKE (processor);
  TAKE (exec_command);
  TAKE (rate_card);
  TAKE (compat);
#undef TAKE

  if (exec_timeout >= 0)
    self->exec_timeout = exec_timeout;
  if (daily_budget >= 0)
    self->daily_budget = daily_budget;
  if (workers >= 0)
    self->workers = workers;
  if (progress_interval_ms >= 0)
    self->progress_interval_ms = progress_interval_ms;
  if (health_interval_ms >= 0)
    self->health_interval_ms = health_interval_ms;
  if (max_body_bytes >= 0)
    self->max_body_bytes = max_body_bytes;
  if (retry_backoff_ms >= 0)
    self->retry_backoff_ms = retry_backoff_ms;
  if (shutdown_grace_ms >= 0)
    self->shutdown_grace_ms = shutdown_grace_ms;

  if (tokens != NULL)
    {
      /* Tokens on the command line replace those of the config file. */
      g_ptr_array_set_size (self->tokens, 0);
      for (guint i = 0; tokens[i]; i++)
        {
          if (!brd_config_add_token (self, tokens[i], error))
            return FALSE;
        }
    }

  return brd_config_validate (self, error);
}

gboolean
brd_config_is_base_profile (const BrdConfig *self)
{
  return self->compat != NULL && g_str_equal (self->compat, "base");
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;

  if (g_str_equal (host, "localhost"))
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

gboolean
brd_config_validate (BrdConfig  *self,
                     GError    **error)
{
  g_autofree char *host = NULL;
  guint16 port;

  if (self->database == NULL)
    self->database = brd_config_default_database ();

  if (self->compat != NULL && !g_str_equal (self->compat, "full") && !g_str_equal (self->compat, "base"))
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0, "Unknown --compat profile \"%s\": expected full or base",
                   self->compat);
      return FALSE;
    }

  if (!g_str_has_prefix (self->database, "sqlite://"))
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0,
                   "Unsupported database URL \"%s\": expected sqlite:///path/to/file.db",
                   self->database);
      return FALSE;
    }

  if (self->reports_dir == NULL)
    self->reports_dir = g_build_filename (g_get_user_data_dir (), "batch-runner", "reports", NULL);

  if (!brd_config_split_listen (self->listen, &host, &port, error))
    return FALSE;

  if (self->tokens->len == 0 && !is_loopback (host))
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0,
                   "Refusing to listen on %s without tokens: give --token ROLE:TOKEN, "
                   "or listen on a loopback address", self->listen);
      return FALSE;
    }

  if (!g_str_equal (self->processor, "report") &&
      !g_str_equal (self->processor, "exec") &&
      !g_str_equal (self->processor, "noop"))
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0,
                   "Unknown processor \"%s\": expected report, exec or noop", self->processor);
      return FALSE;
    }

  if (g_str_equal (self->processor, "exec") &&
      (self->exec_command == NULL || self->exec_command[0] == '\0'))
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0, "The exec processor needs --exec-command");
      return FALSE;
    }

  if (self->workers < 1 || self->workers > 1024)
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0, "--workers must be between 1 and 1024");
      return FALSE;
    }

  if (self->progress_interval_ms < 0 || self->progress_interval_ms > 60000)
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0, "--progress-interval-ms must be between 0 and 60000");
      return FALSE;
    }

  if (self->max_body_bytes < 1024)
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0, "--max-body-bytes must be at least 1024");
      return FALSE;
    }

  if (self->exec_timeout <= 0)
    {
      g_set_error (error, BRD_CONFIG_ERROR, 0, "--exec-timeout must be positive");
      return FALSE;
    }

  if (self->replay_capacity < 16)
    self->replay_capacity = 16;
  if (self->health_interval_ms < 100)
    self->health_interval_ms = 100;

  return TRUE;
}
