package store

import (
	"context"
	"fmt"
	db "example.com/project/internal/db"
)

import "errors"

// ErrNotFound is returned when a key is missing.
var ErrNotFound = errors.New("not found")

// Store keeps items
// in memory.
type Store struct {
	items map[string]string
}

type Getter interface {
	Get(ctx context.Context, key string) (string, error)
}

type ID = string

// NewStore creates a Store.
func NewStore() *Store {
	return &Store{items: map[string]string{}}
}

// Get returns the value for key.
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	v, ok := s.items[key]
	if !ok {
		return "", fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	return v, db.Touch(ctx)
}

func (l List[T]) Len() int { return len(l) }
