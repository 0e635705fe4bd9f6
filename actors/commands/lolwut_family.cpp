// LOLWUT [VERSION v] [args]: Redis's computer art. Version 5 draws Georg
// Nees's "Schotter" (squares that tumble more row after row) in Braille
// characters; version 6 a random city skyline of three layers of towers in
// four ANSI grays (Troupe's own drawing in the frame Redis uses: its size
// arguments, colours, escape sequences and credits); other versions answer
// with the server version, as Redis 7.0 does for versions without art.
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

constexpr const char* redis_version = "7.0.15";  // as INFO's redis_version

// A black and white canvas, drawn with Bresenham lines.
struct canvas {
  int width, height;
  std::vector<char> pixels;
  canvas(int w, int h) : width(w), height(h), pixels(size_t(w) * size_t(h), 0) {}
  void set(int x, int y) {
    if (x < 0 || x >= width || y < 0 || y >= height) return;
    pixels[size_t(x) + size_t(y) * size_t(width)] = 1;
  }
  bool get(int x, int y) const {
    if (x < 0 || x >= width || y < 0 || y >= height) return false;
    return pixels[size_t(x) + size_t(y) * size_t(width)];
  }
  void line(int x1, int y1, int x2, int y2) {
    int dx = std::abs(x2 - x1), dy = std::abs(y2 - y1);
    int sx = x1 < x2 ? 1 : -1, sy = y1 < y2 ? 1 : -1;
    int err = dx - dy;
    for (;;) {
      set(x1, y1);
      if (x1 == x2 && y1 == y2) break;
      int e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }
  // A square of side `size` centred on (x, y), rotated by `angle` radians.
  void square(int x, int y, float size, float angle) {
    int px[4], py[4];
    size = std::round(size / 1.4142135623f);  // the corners' distance from the centre
    float k = float(M_PI / 4) + angle;
    for (int j = 0; j < 4; ++j) {
      px[j] = int(std::round(std::sin(k) * size + float(x)));
      py[j] = int(std::round(std::cos(k) * size + float(y)));
      k += float(M_PI / 2);
    }
    for (int j = 0; j < 4; ++j) line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4]);
  }
  // Two by four pixels per Braille character (U+2800 + the dot bits).
  std::string render() const {
    std::string text;
    for (int y = 0; y < height; y += 4) {
      for (int x = 0; x < width; x += 2) {
        int byte = get(x, y) | get(x, y + 1) << 1 | get(x, y + 2) << 2 | get(x + 1, y) << 3 |
                   get(x + 1, y + 1) << 4 | get(x + 1, y + 2) << 5 | get(x, y + 3) << 6 |
                   get(x + 1, y + 3) << 7;
        int code = 0x2800 + byte;
        text.push_back(char(0xE0 | (code >> 12)));
        text.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        text.push_back(char(0x80 | (code & 0x3F)));
      }
      if (y != height - 1) text.push_back('\n');
    }
    return text;
  }
};

std::string schotter(int cols, int per_row, int per_col) {
  static std::mt19937 rng{std::random_device{}()};
  auto random_unit = [] { return float(rng()) / float(std::mt19937::max()); };
  int width = cols * 2;
  int padding = width > 4 ? 2 : 0;
  float side = float(width - padding * 2) / float(per_row);
  int height = int(side * float(per_col) + float(padding * 2));
  canvas cv(width, height);
  for (int y = 0; y < per_col; ++y) {
    for (int x = 0; x < per_row; ++x) {
      int sx = int(float(x) * side + side / 2 + float(padding));
      int sy = int(float(y) * side + side / 2 + float(padding));
      float angle = 0;
      // Lower rows turn and move more.
      if (y > 1) {
        float r1 = random_unit() / float(per_col) * float(y);
        float r2 = random_unit() / float(per_col) * float(y);
        float r3 = random_unit() / float(per_col) * float(y);
        if (rng() % 2) r1 = -r1;
        if (rng() % 2) r2 = -r2;
        if (rng() % 2) r3 = -r3;
        angle = r1;
        sx = int(float(sx) + r2 * side / 3);
        sy = int(float(sy) + r3 * side / 3);
      }
      cv.square(sx, sy, side, angle);
    }
  }
  return cv.render();
}

void lolwut5(exec_context& c, size_t first) {
  int64_t args[3] = {66, 8, 12};  // columns, squares per row, squares per column
  for (size_t i = 0; i < 3 && first + i < c.argc(); ++i)
    if (!c.int_arg(first + i, args[i])) return;
  auto clamp = [](int64_t v, int64_t hi) { return int(std::max<int64_t>(1, std::min(v, hi))); };
  std::string art = schotter(clamp(args[0], 1000), clamp(args[1], 200), clamp(args[2], 200));
  art += "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ";
  art += redis_version;
  art += "\n";
  c.out.verbatim(art);
}

// Version 6: rows x cols pixels of four grays, sky on top, then towers of
// three depths, each nearer layer darker, shorter and with lit windows.
std::string skyline(int cols, int rows) {
  // Sky, far, middle, near: Redis's colour pairs (foreground;background).
  static const char* colours[4] = {"97;107", "37;47", "90;100", "30;40"};
  std::vector<uint8_t> px(size_t(cols) * size_t(rows), 0);
  auto put = [&](int x, int y, uint8_t c) {
    if (x >= 0 && x < cols && y >= 0 && y < rows) px[size_t(y) * size_t(cols) + size_t(x)] = c;
  };
  std::mt19937 rng(std::random_device{}());
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int layer = 1; layer <= 3; ++layer) {
    // The far layer reaches highest: its towers are up to 90% of the height,
    // the near one's up to 60%; every layer covers the bottom row.
    int tallest = std::max(1, rows * (100 - 15 * layer) / 100);
    int x = layer == 3 ? uniform(0, 4) : 0;
    while (x < cols) {
      int width = uniform(4, 8 + 2 * layer);
      int height = std::max(1, uniform(tallest / 3, tallest));
      for (int dx = 0; dx < width; ++dx)
        for (int dy = 0; dy < height; ++dy) {
          int y = rows - 1 - dy;
          // Windows: every other pixel inside the tower, lit in the layer
          // behind's lighter colour, some left dark.
          bool inside = dx > 0 && dx < width - 1 && dy < height - 1 && dy > 0;
          bool window = inside && layer > 1 && dx % 2 == 0 && dy % 2 == 0 && uniform(0, 3) != 0;
          put(x + dx, y, uint8_t(window ? layer - 1 : layer));
        }
      x += width + (layer == 1 ? 0 : uniform(0, layer));
    }
  }
  std::string art;
  art.reserve(size_t(cols) * size_t(rows) * 16 + 160);
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      art += "\033[0;";
      art += colours[px[size_t(y) * size_t(cols) + size_t(x)]];
      art += "m \033[0m";
    }
    art += '\n';
  }
  return art;
}

void lolwut6(exec_context& c, size_t first) {
  int64_t args[2] = {80, 20};  // columns, rows
  for (size_t i = 0; i < 2 && first + i < c.argc(); ++i)
    if (!c.int_arg(first + i, args[i])) return;
  auto clamp = [](int64_t v) { return int(std::max<int64_t>(1, std::min<int64_t>(v, 1000))); };
  std::string art = skyline(clamp(args[0]), clamp(args[1]));
  art +=
      "Dedicated to the 8 bit game developers of past and present.\n"
      "Original 8 bit image from Plaguemon by hikikomori. Redis ver. ";
  art += redis_version;
  art += "\n";
  c.out.verbatim(art);
}

void cmd_lolwut(exec_context& c) {
  std::string version = redis_version;
  size_t first = 1;
  if (c.argc() >= 3 && c.arg_is(1, "version")) {
    int64_t v;
    if (!c.int_arg(2, v)) return;
    version = std::to_string(uint32_t(v)) + ".0.0";
    first = 3;
  }
  // Redis 4.9 (the 5.0 betas) showed version 5's art too.
  if ((version[0] == '5' && version[1] == '.' && version[2] != '9') ||
      (version[0] == '4' && version[1] == '.' && version[2] == '9'))
    return lolwut5(c, first);
  if ((version[0] == '6' && version[1] == '.' && version[2] != '9') ||
      (version[0] == '5' && version[1] == '.' && version[2] == '9'))
    return lolwut6(c, first);
  c.out.verbatim(std::string("Redis ver. ") + redis_version + "\n");
}

const command_def lolwut_commands[] = {
    {"lolwut", -1, "readonly fast", 0, 0, 0, "", cmd_lolwut,
     "Display some computer art and the Redis version", "5.0.0", "", "[VERSION version]"},
};

}  // namespace

void register_lolwut_family(command_table& t) {
  t.add_all("server", lolwut_commands);
}

}  // namespace troupe
