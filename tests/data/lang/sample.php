<?php

namespace App\Http;

use App\Models\User;
use Illuminate\Support\{Str, Arr};

require_once __DIR__ . '/helpers.php';
require 'config.php';

/**
 * Handles users.
 */
class UserController extends Controller
{
    private array $cache = [];

    public function __construct(private UserRepository $repo)
    {
    }

    // Show one user.
    public function show(int $id): User
    {
        return $this->repo->find($id);
    }
}

interface Repository
{
    public function find(int $id);
}

trait Loggable {}

function helper(string $s): string
{
    return Str::upper($s);
}
