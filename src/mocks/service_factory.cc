#include "mocks/connectpay.h"
#include "mocks/receiver.h"
#include "tollgate/mocks/service.h"

namespace tollgate {

StatusOr<std::unique_ptr<MockService>> CreateService(const ServiceDecl& decl,
                                                     ServiceContext ctx) {
  if (decl.kind == "receiver") return std::unique_ptr<MockService>(new mocks::Receiver(decl, ctx));
  if (decl.kind == "connectpay") {
    return std::unique_ptr<MockService>(new mocks::ConnectPay(decl, ctx));
  }
  return UnimplementedError("service `" + decl.name + "`: kind `" + decl.kind +
                            "` is not supported yet");
}

}  // namespace tollgate
