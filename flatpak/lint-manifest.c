/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-flatpak-lint"

/* lint-manifest: checks the shape of the Flatpak manifest that a JSON
 * validator cannot: the runtime, the command, a minimal sandbox, and that
 * the last module builds this tree with meson. flatpak-builder cannot run
 * here (it needs the GNOME SDK), so this is what guards the manifest.
 *
 * Usage: lint-manifest MANIFEST APP_ID
 * Prints one line per problem and exits 1 when there is any. */

#include <json-glib/json-glib.h>
#include <stdlib.h>

#define EXPECTED_RUNTIME "org.gnome.Platform"
#define EXPECTED_SDK     "org.gnome.Sdk"
#define EXPECTED_COMMAND "batch-runner-monitor"

/* The whole sandbox the monitor needs: the service over the network, a
 * display, GL. The keyring and notifications go through portals, which need
 * no permission, so anything else (--filesystem=host, --talk-name=…) is a
 * hole, not a feature. */
static const char * const allowed_finish_args[] = {
  "--share=network",
  "--share=ipc",
  "--socket=wayland",
  "--socket=fallback-x11",
  "--device=dri",
};

static const char * const required_finish_args[] = {
  "--share=network",
  "--socket=wayland",
  "--socket=fallback-x11",
};

typedef struct
{
  const char *path;
  guint       n_problems;
} Lint;

static void problem (Lint       *lint,
                     const char *format,
                     ...) G_GNUC_PRINTF (2, 3);

static void
problem (Lint       *lint,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", lint->path, message);
  lint->n_problems++;
}

static const char *
get_string_member (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static void
check_string (Lint       *lint,
              JsonObject *root,
              const char *member,
              const char *expected)
{
  const char *value = get_string_member (root, member);

  if (value == NULL)
    problem (lint, "\"%s\" is missing or not a string (expected \"%s\")", member, expected);
  else if (g_strcmp0 (value, expected) != 0)
    problem (lint, "\"%s\" is \"%s\", expected \"%s\"", member, value, expected);
}

static gboolean
in_list (const char         *value,
         const char * const *list,
         gsize               n_list)
{
  for (gsize i = 0; i < n_list; i++)
    {
      if (g_str_equal (value, list[i]))
        return TRUE;
    }
  return FALSE;
}

static void
check_finish_args (Lint       *lint,
                   JsonObject *root)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *args = get_array_member (root, "finish-args");

  if (args == NULL)
    {
      problem (lint, "\"finish-args\" is missing or not an array");
      return;
    }

  for (guint i = 0; i < json_array_get_length (args); i++)
    {
      JsonNode *node = json_array_get_element (args, i);
      const char *arg;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          problem (lint, "finish-args[%u] is not a string", i);
          continue;
        }

      arg = json_node_get_string (node);
      if (!in_list (arg, allowed_finish_args, G_N_ELEMENTS (allowed_finish_args)))
        problem (lint, "finish-args: \"%s\" is not allowed; the sandbox may only use "
                 "--share=network, --share=ipc, --socket=wayland, --socket=fallback-x11 "
                 "and --device=dri", arg);
      else if (!g_hash_table_add (seen, (gpointer) arg))
        problem (lint, "finish-args: \"%s\" is given twice", arg);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (required_finish_args); i++)
    {
      if (!g_hash_table_contains (seen, required_finish_args[i]))
        problem (lint, "finish-args: \"%s\" is missing", required_finish_args[i]);
    }
}

static gboolean
is_project_source (JsonNode *node)
{
  JsonObject *source;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  source = json_node_get_object (node);
  return g_strcmp0 (get_string_member (source, "type"), "dir") == 0 &&
         (g_strcmp0 (get_string_member (source, "path"), "..") == 0 ||
          g_strcmp0 (get_string_member (source, "path"), "../") == 0);
}

static void
check_modules (Lint       *lint,
               JsonObject *root)
{
  JsonArray *modules = get_array_member (root, "modules");
  JsonArray *sources;
  JsonObject *module;
  JsonNode *last;
  const char *name;
  guint n;
  gboolean found = FALSE;

  if (modules == NULL || (n = json_array_get_length (modules)) == 0)
    {
      problem (lint, "\"modules\" is missing, not an array or empty");
      return;
    }

  /* flatpak-builder builds modules in order; ours must come last, after
   * any dependency, and be inline so that this check sees it. */
  last = json_array_get_element (modules, n - 1);
  if (!JSON_NODE_HOLDS_OBJECT (last))
    {
      problem (lint, "the last module is not an inline object");
      return;
    }

  module = json_node_get_object (last);
  name = get_string_member (module, "name");
  if (name == NULL || *name == '\0')
    problem (lint, "the last module has no \"name\"");
  if (g_strcmp0 (get_string_member (module, "buildsystem"), "meson") != 0)
    problem (lint, "the last module (%s) does not use \"buildsystem\": \"meson\"",
             name ? name : "unnamed");

  sources = get_array_member (module, "sources");
  for (guint i = 0; sources != NULL && i < json_array_get_length (sources); i++)
    found |= is_project_source (json_array_get_element (sources, i));
  if (!found)
    problem (lint, "the last module (%s) has no {\"type\": \"dir\", \"path\": \"..\"} source",
             name ? name : "unnamed");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root_node;
  JsonObject *root;
  const char *app_id;
  Lint lint = { 0 };

  if (argc != 3)
    {
      g_printerr ("Usage: %s MANIFEST APP_ID\n", argv[0]);
      return 2;
    }

  lint.path = argv[1];
  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, lint.path, &error))
    {
      g_printerr ("%s: %s\n", lint.path, error->message);
      return EXIT_FAILURE;
    }

  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    {
      g_printerr ("%s: the top level is not an object\n", lint.path);
      return EXIT_FAILURE;
    }
  root = json_node_get_object (root_node);

  /* flatpak-builder takes "id" as a synonym of "app-id". */
  app_id = get_string_member (root, "app-id");
  if (app_id == NULL)
    app_id = get_string_member (root, "id");
  if (app_id == NULL)
    problem (&lint, "\"app-id\" is missing or not a string (expected \"%s\")", argv[2]);
  else if (!g_str_equal (app_id, argv[2]))
    problem (&lint, "\"app-id\" is \"%s\", expected \"%s\"", app_id, argv[2]);

  check_string (&lint, root, "runtime", EXPECTED_RUNTIME);
  check_string (&lint, root, "sdk", EXPECTED_SDK);
  check_string (&lint, root, "command", EXPECTED_COMMAND);
  if (get_string_member (root, "runtime-version") == NULL)
    problem (&lint, "\"runtime-version\" is missing or not a string");

  check_finish_args (&lint, root);
  check_modules (&lint, root);

  if (lint.n_problems > 0)
    {
      g_printerr ("%s: %u problem(s)\n", lint.path, lint.n_problems);
      return EXIT_FAILURE;
    }

  g_print ("%s: OK\n", lint.path);
  return EXIT_SUCCESS;
}
