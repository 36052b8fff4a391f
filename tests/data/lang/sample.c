#include <stdio.h>
#include "list.h"

/* A node in a list. */
struct node {
    int value;
    struct node *next;
};

typedef struct {
    int x, y;
} point;

enum color { RED, GREEN };

int list_length(const struct node *head);

// Counts the nodes.
int list_length(const struct node *head)
{
    int n = 0;
    for (; head; head = head->next)
        n++;
    return n;
}

static char *
dup_name(const char *s) {
    return strdup(s);
}
