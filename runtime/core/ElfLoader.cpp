//===- ElfLoader.cpp - load kcc's generated kernels without LLVM ----------===//
//
// 1. Check the ELF header (64-bit, little endian, relocatable, x86-64).
// 2. Lay out every SHF_ALLOC section in one anonymous mapping, followed by
//    a stub area for external symbols (memset/memcpy that LLVM may call).
// 3. Resolve symbols: defined ones to their section's address, undefined
//    ones through dlsym to a jump stub inside the mapping (so 32-bit
//    PC-relative calls always reach).
// 4. Apply RELA relocations; then make the mapping read+execute.
//
//===----------------------------------------------------------------------===//

#include "core/ElfLoader.h"

#include "core/RuntimeError.h"

#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <vector>

namespace kcc::rt {

namespace {

constexpr size_t kStubSize = 16; // movabs rax, imm64; jmp rax; padding

size_t alignUp(size_t v, size_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

void writeStub(uint8_t *at, uint64_t target) {
  at[0] = 0x48, at[1] = 0xB8; // movabs rax, imm64
  std::memcpy(at + 2, &target, 8);
  at[10] = 0xFF, at[11] = 0xE0; // jmp rax
  for (size_t i = 12; i < kStubSize; ++i)
    at[i] = 0xCC; // int3
}

} // namespace

LoadedObject::LoadedObject(const uint8_t *data, size_t size, const std::string &what) : what(what) {
  // A constructor that throws runs no destructor: unmap here (the leak was
  // found by the model.bin fuzzer as memory growing without bound).
  auto fail = [&](const std::string &m) -> void {
    if (memory)
      munmap(memory, memorySize);
    memory = nullptr;
    throw RuntimeError(what + ": cannot load the generated kernels: " + m);
  };
  if (size < sizeof(Elf64_Ehdr))
    fail("object too small");
  Elf64_Ehdr eh;
  std::memcpy(&eh, data, sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_REL)
    fail("not a 64-bit little-endian relocatable ELF object");
  if (eh.e_machine != EM_X86_64)
    fail("compiled for another architecture (ELF machine " + std::to_string(eh.e_machine) + ")");
  // Every offset and size below comes from the file: compared as
  // differences, so no sum can wrap around (found by the model.bin fuzzer).
  auto inside = [size](uint64_t offset, uint64_t bytes) { return offset <= size && bytes <= size - offset; };
  if (eh.e_shnum == 0)
    fail("the object has no sections");
  if (!inside(eh.e_shoff, static_cast<uint64_t>(eh.e_shnum) * sizeof(Elf64_Shdr)))
    fail("section table outside the object");
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), data + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
  for (const Elf64_Shdr &s : sh) {
    if (s.sh_type != SHT_NOBITS && !inside(s.sh_offset, s.sh_size))
      fail("a section lies outside the object");
    if ((s.sh_flags & SHF_ALLOC) && (s.sh_addralign > 4096 || s.sh_size > (uint64_t(1) << 30)))
      fail("a section is too large or too aligned");
  }

  // 2. Layout.
  std::vector<size_t> place(sh.size(), SIZE_MAX);
  size_t total = 0;
  for (size_t i = 0; i < sh.size(); ++i)
    if (sh[i].sh_flags & SHF_ALLOC) {
      total = alignUp(total, sh[i].sh_addralign);
      place[i] = total;
      total += sh[i].sh_size;
    }
  const Elf64_Shdr *symtab = nullptr;
  for (const Elf64_Shdr &s : sh)
    if (s.sh_type == SHT_SYMTAB)
      symtab = &s;
  if (!symtab || symtab->sh_link >= sh.size())
    fail("no symbol table");
  // Only sections with file data were checked to lie inside the object.
  if (sh[symtab->sh_link].sh_type != SHT_STRTAB)
    fail("the symbol table's strings are not a string table");
  size_t nsyms = symtab->sh_size / sizeof(Elf64_Sym);
  if (nsyms == 0)
    fail("the symbol table is empty");
  size_t stubBase = alignUp(total, 16);
  total = stubBase + nsyms * kStubSize;
  memorySize = alignUp(total, 4096);
  memory = mmap(nullptr, memorySize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    memory = nullptr;
    fail("out of memory");
  }
  auto *base = static_cast<uint8_t *>(memory);
  for (size_t i = 0; i < sh.size(); ++i)
    if (place[i] != SIZE_MAX && sh[i].sh_type != SHT_NOBITS)
      std::memcpy(base + place[i], data + sh[i].sh_offset, sh[i].sh_size);

  // 3. Symbols.
  const char *strtab = reinterpret_cast<const char *>(data + sh[symtab->sh_link].sh_offset);
  size_t strtabSize = sh[symtab->sh_link].sh_size;
  std::vector<Elf64_Sym> syms(nsyms);
  std::memcpy(syms.data(), data + symtab->sh_offset, nsyms * sizeof(Elf64_Sym));
  std::vector<uintptr_t> address(nsyms, 0);
  for (size_t i = 1; i < nsyms; ++i) {
    const Elf64_Sym &s = syms[i];
    if (s.st_name >= strtabSize)
      fail("symbol name outside the string table");
    std::string name(strtab + s.st_name, strnlen(strtab + s.st_name, strtabSize - s.st_name));
    if (s.st_shndx == SHN_UNDEF) {
      if (name.empty())
        continue;
      void *target = dlsym(RTLD_DEFAULT, name.c_str());
      if (!target)
        fail("the kernels need '" + name + "', which krun does not provide");
      writeStub(base + stubBase + i * kStubSize, reinterpret_cast<uint64_t>(target));
      address[i] = reinterpret_cast<uintptr_t>(base + stubBase + i * kStubSize);
    } else if (s.st_shndx == SHN_ABS) {
      address[i] = s.st_value;
    } else if (s.st_shndx < sh.size() && place[s.st_shndx] != SIZE_MAX) {
      if (s.st_value > sh[s.st_shndx].sh_size)
        fail("symbol '" + name + "' lies outside its section");
      address[i] = reinterpret_cast<uintptr_t>(base + place[s.st_shndx] + s.st_value);
      if (ELF64_ST_TYPE(s.st_info) == STT_FUNC && ELF64_ST_BIND(s.st_info) == STB_GLOBAL)
        symbols[name] = address[i];
    }
  }

  // 4. Relocations of loaded sections.
  for (const Elf64_Shdr &rs : sh) {
    if (rs.sh_type == SHT_REL)
      fail("REL relocations are not supported");
    if (rs.sh_type != SHT_RELA || rs.sh_info >= sh.size() || place[rs.sh_info] == SIZE_MAX)
      continue;
    size_t n = rs.sh_size / sizeof(Elf64_Rela);
    for (size_t k = 0; k < n; ++k) {
      Elf64_Rela r;
      std::memcpy(&r, data + rs.sh_offset + k * sizeof r, sizeof r);
      uint32_t type = ELF64_R_TYPE(r.r_info), sym = ELF64_R_SYM(r.r_info);
      size_t width = type == R_X86_64_64 ? 8 : 4;
      if (sym >= nsyms || r.r_offset > sh[rs.sh_info].sh_size || width > sh[rs.sh_info].sh_size - r.r_offset)
        fail("relocation outside its section");
      uint8_t *p = base + place[rs.sh_info] + r.r_offset;
      // Wrapping arithmetic, as the linker's: the checks below decide.
      int64_t value = static_cast<int64_t>(static_cast<uint64_t>(address[sym]) + static_cast<uint64_t>(r.r_addend));
      switch (type) {
      case R_X86_64_NONE:
        break;
      case R_X86_64_64:
        std::memcpy(p, &value, 8);
        break;
      case R_X86_64_PC32:
      case R_X86_64_PLT32: {
        int64_t rel = static_cast<int64_t>(static_cast<uint64_t>(value) - reinterpret_cast<uint64_t>(p));
        if (rel != static_cast<int32_t>(rel))
          fail("PC-relative relocation out of range");
        int32_t v32 = static_cast<int32_t>(rel);
        std::memcpy(p, &v32, 4);
        break;
      }
      default:
        fail("unsupported relocation type " + std::to_string(type));
      }
    }
  }
  if (mprotect(memory, memorySize, PROT_READ | PROT_EXEC) != 0)
    fail("cannot make the kernels executable");
}

LoadedObject::~LoadedObject() {
  if (memory)
    munmap(memory, memorySize);
}

KernelEntry LoadedObject::entry(const std::string &symbol) const {
  auto it = symbols.find(symbol);
  if (it == symbols.end())
    throw RuntimeError(what + ": the generated code has no kernel '" + symbol + "'");
  return reinterpret_cast<KernelEntry>(it->second);
}

} // namespace kcc::rt
