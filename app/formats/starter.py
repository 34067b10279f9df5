"""The document `betgraph init` writes: a small graph that lints clean and teaches the format in
its comments, from a vision down to an initiative, with every field and the values it takes.

A field the example leaves unset is shown commented out (`# field: value  # meaning`), so that
removing the `# ` switches it on; no other comment line starts with a field name or a dash.
"""

from __future__ import annotations

# Where editors (the YAML language server's modeline, below) find the document's JSON Schema: a
# file beside the document, which `betgraph init` writes too. Not an address on the internet: an
# editor would fetch and trust whatever that address served, and it would not work offline.
SCHEMA_FILE = "betgraph.schema.json"

DEFAULT_NAME = "bets.yaml"

STARTER = f"""\
# yaml-language-server: $schema=./{SCHEMA_FILE}
#
# A bets-as-code document for Betgraph. Read it top down: one chain from a vision to the
# initiative a team delivers this quarter, and the assumption the chain rests on. Replace the
# example with your own bets, then:
#
#   betgraph lint bets.yaml                  # does the story hold together?
#   betgraph render bets.yaml -o bets.svg    # draw it
#   betgraph why bets.yaml remember-corrections  # why does this initiative matter?
#
# Horizons shorten and prescriptiveness grows going down; certainty is how sure we would bet
# each step is on paying off. A field left unset is shown commented out: remove the "# " to
# use it. Ids are slugs (lowercase letters, digits and hyphens, at most 63 characters),
# unique across bets and assumptions. Text fields marked Markdown may use Markdown.

betgraph: 1  # the format's version: always 1

graph:  # the graph as a whole
  slug: tiny-books  # the graph's id: a slug
  title: Tiny Books product map  # one line
  description: |  # Markdown: what this map is about, for whoever reads it first
    Bookkeeping for freelancers, from the product vision to what the team ships this quarter.
  # as_of: 2026-11-01  # the date horizons and review dates are read against (ISO date); today when unset
  visibility: private  # private (only tokens may read it on a server) or public
  lint:  # tune `betgraph lint` for this graph; every threshold below is the default
    # Rules that can be switched off: orphan, horizon-inversion, false-certainty,
    # untested-delivery, output-only, outcome-without-metric, unsupported-assumption,
    # stale-review, overprescribed-long-horizon, multi-parent (`betgraph lint --help` explains each).
    disable: []  # rule names, for example [multi-parent]
    false_certainty: 80%  # a bet this sure (0..1 or a percentage) ...
    false_certainty_chain: 10%  # ... whose chain certainty is below this is flagged
    unsupported_assumption: 70%  # an assumption this sure needs supporting evidence
    long_horizon: 1y  # a guided or prescribed bet paying off later than this is flagged

bets:  # the nested bets, each with the bets it contributes to as its parents
  # --- The vision: why we exist, years out. Only a vision has no parent. ---------------------
  - id: freelancers-keep-their-books  # a slug, unique across bets and assumptions
    kind: vision  # vision, strategy, goal, outcome, opportunity, hypothesis or initiative
    title: Every freelancer knows where their money stands without an accountant  # one line
    description: |  # Markdown: the why, the context, links
      A North Star, not a plan: it names the problem we own, not how we solve it.
    horizon: 5y  # when it should pay off: 6w, 3m, 2q, 1y (d, w, m, q, y) from as_of, or an ISO date
    certainty: 70%  # how sure we are it pays off as intended: 0..1 or a percentage such as 70%
    # How much of the how is decided for those doing it: explore, opportunity, outcome, guided
    # or prescribed (or 1 to 5). It grows going down the map.
    prescriptiveness: explore
    debate: settled  # is it up for debate? open, contested or settled
    status: active  # proposed (the default), active, validated, invalidated, done or dropped
    owner: Jo Park (CEO)  # who answers for it: free text
    team: leadership  # the team that works on it (the team view and lenses group by it)
    tags: [company]  # free words to search and filter by
    links: [https://wiki.example.com/vision]  # http or https URLs
    # review_by: 2027-06-30  # when it must be looked at again (ISO date); lint flags it once past
    # rank: 1  # its place in its board column, 1 first (a whole number); unranked bets follow

  # --- A strategy: the route we chose towards the vision. --------------------------------------
  - id: automatic-bookkeeping
    kind: strategy
    title: Bookkeeping happens by itself, from the bank feed
    parents: [freelancers-keep-their-books]  # the bets this one contributes to (ids); the first is primary
    horizon: 3y
    certainty: 60%
    prescriptiveness: explore
    debate: open
    status: active

  # --- A goal: an objective, as in OKRs. ----------------------------------------------------
  - id: books-without-effort
    kind: goal
    title: Freelancers close their month without typing a transaction
    parents: [automatic-bookkeeping]
    horizon: 1y
    certainty: 60%
    prescriptiveness: opportunity
    debate: open
    status: active

  # --- An outcome: a key result, a measurable change in what customers do. It needs a metric. --
  - id: transactions-categorised
    kind: outcome
    title: Most transactions are categorised without a touch
    parents: [books-without-effort]
    horizon: 2q
    certainty: 50%
    prescriptiveness: outcome
    debate: open
    status: active
    team: bookkeeping
    metric:  # how we will know it happened (goals may have one too)
      name: transactions categorised automatically  # what is measured, in one line
      unit: "%"  # free text, optional
      direction: up  # up or down: which way is better
      baseline: 35  # where it stood when we started (a number)
      target: 70  # where we want it
      current: 41  # where it stands; with check-ins, the latest check-in's value
      # checkins:  # readings over time; `betgraph checkin` adds one on a server
      #   - value: 41  # the reading (a number)
      #     date: 2026-10-31  # when it was read (ISO date)
      #     note: rules learned from corrections  # optional, one line

  # --- An opportunity: a customer problem worth solving, found in discovery. -----------------
  - id: categories-are-guesswork
    kind: opportunity
    title: Freelancers cannot tell which category a payment belongs to
    parents: [transactions-categorised]
    horizon: 2q
    certainty: 60%
    prescriptiveness: outcome
    debate: settled
    status: active
    team: bookkeeping

  # --- A hypothesis: what we test before we build. ------------------------------------------
  - id: learn-from-corrections
    kind: hypothesis
    title: If we learn from each correction, most payees are categorised right the second time
    parents: [categories-are-guesswork]
    assumes: [payees-repeat]  # the assumptions it rests on (ids from the assumptions below)
    horizon: 6w
    certainty: 50%
    prescriptiveness: outcome
    debate: open
    status: active  # set validated or invalidated once the test says
    team: bookkeeping
    # Closing the loop, once the test is over:
    # verdict: Validated with 40 beta users  # what happened, in words
    # learned: Payees repeat, but card payments need the merchant's category too  # what we learned, in words
    # resolution:  # the structured verdict that `betgraph report` calibrates against
    #   verdict: validated  # validated, invalidated or inconclusive
    #   learned: Corrections carried over for 83% of payees  # optional, Markdown
    #   committed_certainty: 50%  # how sure we were when we committed to it; by default its certainty
    #   resolved_on: 2026-12-15  # when it was resolved (ISO date)

  # --- An initiative: what a team delivers. It stays proposed until the hypothesis above it
  # is validated; building before the test says so is what lint calls untested delivery. -----
  - id: remember-corrections
    kind: initiative
    title: Remember each correction and apply it to the payee's next transactions
    parents: [learn-from-corrections]
    horizon: 6w
    certainty: 60%
    prescriptiveness: guided
    debate: settled
    status: proposed
    team: bookkeeping

assumptions:  # what the bets rest on
  # --- An assumption: a belief a bet rests on, and the evidence for and against it. ----------
  - id: payees-repeat
    statement: We believe most of a freelancer's payments go to payees they have paid before  # one line
    certainty: 60%  # how sure we are it holds: 0..1 or a percentage
    importance: 4  # how bad it is if it is wrong: 1 (a little) to 5 (the bets above fall)
    category: feasibility  # desirability, viability, feasibility, usability or ethical
    debate: open  # open, contested or settled
    # review_by: 2027-01-15  # when it must be looked at again (ISO date)
    # resolution: {{verdict: validated, committed_certainty: 60%, resolved_on: 2027-01-10}}  # as for bets
    evidence:  # what we know: data or insight, for it or against it
      - kind: data  # data (measured) or insight (heard, seen, reasoned)
        summary: 78% of beta transactions went to a payee seen in the previous 90 days  # one line
        # How strong it is, weakest to strongest: self-conviction, thematic, opinion, estimate,
        # anecdotal, market-data, user-evidence, test-result, launch-data.
        level: market-data
        direction: supports  # supports or refutes
        url: https://analytics.example.com/payees  # where to read more: an http or https URL
        date: 2026-10-20  # when it was gathered (ISO date)
"""
