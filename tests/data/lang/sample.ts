import { Injectable } from "@angular/core";
import type { User } from "./models";

/** A user id. */
export type UserId = string;

export interface Repository<T> {
  find(id: UserId): Promise<T>;
  save(item: T): void;
}

export enum Color {
  Red,
  Green,
}

@Injectable()
export class UserService implements Repository<User> {
  private cache = new Map<UserId, User>();

  constructor(private readonly http: HttpClient) {}

  /** Look a user up. */
  async find(
    id: UserId,
  ): Promise<User> {
    return this.http.get(id);
  }

  save(item: User): void {}
}

export namespace Utils {
  export function clamp(x: number): number {
    return Math.max(0, x);
  }
}

export const toId = (u: User): UserId => u.id;
