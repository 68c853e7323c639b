/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-a11y-reaper"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* br-a11y-reaper PROGRAM [ARGS...]
 *
 * Runs PROGRAM as a child subreaper and returns its exit status. Some
 * programs of a desktop session exit without waiting for their own
 * children: dbus-run-session leaves its dbus-daemon, at-spi-bus-launcher
 * the accessibility bus daemon, which leaves at-spi2-registryd. Orphans
 * normally go to PID 1, which on these machines does not reap, so they
 * would stay as zombies after every run. As a subreaper we adopt them,
 * reap them, and kill whatever of them is still running a little after
 * PROGRAM ends. */

#define GRACE_MS 3000

static volatile sig_atomic_t main_pid;

static void
forward_signal (int sig)
{
  if (main_pid > 0)
    kill (main_pid, sig);
}

/* Our children that are still there: the main one and any adopted. */
static int
signal_children (int sig)
{
  DIR *dir = opendir ("/proc");
  struct dirent *entry;
  pid_t self = getpid ();
  int n = 0;

  if (dir == NULL)
    return 0;

  while ((entry = readdir (dir)) != NULL)
    {
      char path[sizeof "/proc//stat" + sizeof entry->d_name];
      char buf[512];
      char *close_paren;
      FILE *f;
      size_t len;
      int ppid;
      char state;

      if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
        continue;
      snprintf (path, sizeof path, "/proc/%s/stat", entry->d_name);
      if ((f = fopen (path, "r")) == NULL)
        continue;
      len = fread (buf, 1, sizeof buf - 1, f);
      fclose (f);
      buf[len] = '\0';

      /* "pid (comm) state ppid ...": comm may hold spaces and parens. */
      if ((close_paren = strrchr (buf, ')')) == NULL ||
          sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      if (ppid != self || state == 'Z')
        continue;

      kill (atoi (entry->d_name), sig);
      n++;
    }

  closedir (dir);
  return n;
}

static long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
main (int   argc,
      char *argv[])
{
  struct sigaction sa = { 0 };
  int main_status = 0;
  int main_done = 0;
  long deadline = 0;
  pid_t pid;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
      return 2;
    }

  if (prctl (PR_SET_CHILD_SUBREAPER, 1) != 0)
    perror ("br-a11y-reaper: PR_SET_CHILD_SUBREAPER");

  sa.sa_handler = forward_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);

  pid = fork ();
  if (pid < 0)
    {
      perror ("br-a11y-reaper: fork");
      return 1;
    }
  if (pid == 0)
    {
      signal (SIGTERM, SIG_DFL);
      signal (SIGINT, SIG_DFL);
      signal (SIGHUP, SIG_DFL);
      execvp (argv[1], argv + 1);
      fprintf (stderr, "br-a11y-reaper: %s: %s\n", argv[1], strerror (errno));
      _exit (127);
    }
  main_pid = pid;

  for (;;)
    {
      int status;
      pid_t done;

      /* Before the main child ends, block; after, poll until the grace
       * period is over and then kill the stragglers. */
      done = waitpid (-1, &status, main_done ? WNOHANG : 0);
      if (done < 0)
        {
          if (errno == EINTR)
            continue;
          break; /* ECHILD: nobody left */
        }

      if (done == pid)
        {
          main_status = status;
          main_done = 1;
          main_pid = 0;
          deadline = now_ms () + GRACE_MS;
          continue;
        }

      if (done == 0)
        {
          if (now_ms () >= deadline)
            {
              if (signal_children (SIGKILL) > 0)
                fprintf (stderr, "br-a11y-reaper: killed processes left after %d ms\n", GRACE_MS);
              deadline = now_ms () + 60000;
            }
          usleep (20 * 1000);
        }
    }

  if (WIFEXITED (main_status))
    return WEXITSTATUS (main_status);
  if (WIFSIGNALED (main_status))
    return 128 + WTERMSIG (main_status);
  return 1;
}
