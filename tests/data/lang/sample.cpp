#include <vector>
#include "shape.hpp"

namespace geo {

/// A 2D shape.
class Shape {
public:
    virtual ~Shape() = default;
    virtual double area() const = 0;
    int sides() const { return n_; }
private:
    int n_;
};

struct Point {
    double x, y;
};

template <typename T>
T clamp(T v, T lo, T hi) {
    return std::max(lo, std::min(v, hi));
}

// Area of a circle.
double Circle::area() const {
    return 3.14159 * r_ * r_;
}

}  // namespace geo
