"""The demo season: a tracker and its vendor files, written from the domain facts."""
