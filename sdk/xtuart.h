/* XT SDK: 16550 UART (PC COM ports) for early debug output in the loader and the kernel. */
#ifndef XT_SDK_XTUART_H
#define XT_SDK_XTUART_H

#include <xtintrin.h>

#define UART_CLOCK_RATE           115200
#define UART_REG_DATA             0
#define UART_REG_INTERRUPT_ENABLE 1
#define UART_REG_FIFO_CONTROL     2
#define UART_REG_LINE_CONTROL     3
#define UART_REG_MODEM_CONTROL    4
#define UART_REG_LINE_STATUS      5
#define UART_REG_SCRATCH          7
#define UART_LSR_TRANSMIT_EMPTY   0x20
#define UART_LCR_DLAB             0x80
#define UART_LCR_8N1              0x03

static const USHORT UartComPortBase[] = {0, 0x3F8, 0x2F8, 0x3E8, 0x2E8};

/* Programs COM Port (1..4) for Baud 8N1 with FIFOs; returns the port base, or 0 when no UART answers. */
XTINLINE USHORT HlInitializeComPort(USHORT Port, ULONG Baud) {
    USHORT Base;
    USHORT Divisor;

    if (Port < 1 || Port > 4 || Baud == 0 || UART_CLOCK_RATE % Baud != 0) {
        return 0;
    }
    Base = UartComPortBase[Port];
    HlWritePort8(Base + UART_REG_SCRATCH, 0x5A);
    if (HlReadPort8(Base + UART_REG_SCRATCH) != 0x5A) {
        return 0;
    }
    Divisor = (USHORT)(UART_CLOCK_RATE / Baud);
    HlWritePort8(Base + UART_REG_INTERRUPT_ENABLE, 0x00);
    HlWritePort8(Base + UART_REG_LINE_CONTROL, UART_LCR_DLAB);
    HlWritePort8(Base + UART_REG_DATA, (UCHAR)(Divisor & 0xFF));
    HlWritePort8(Base + UART_REG_INTERRUPT_ENABLE, (UCHAR)(Divisor >> 8));
    HlWritePort8(Base + UART_REG_LINE_CONTROL, UART_LCR_8N1);
    HlWritePort8(Base + UART_REG_FIFO_CONTROL, 0xC7);
    HlWritePort8(Base + UART_REG_MODEM_CONTROL, 0x0B);
    return Base;
}

/* Sends one byte, waiting (bounded) for the transmitter. */
XTINLINE VOID HlWriteComPort(USHORT Base, UCHAR Byte) {
    for (ULONG Spin = 0; Spin < 100000 && !(HlReadPort8(Base + UART_REG_LINE_STATUS) & UART_LSR_TRANSMIT_EMPTY);
         Spin++) {
    }
    HlWritePort8(Base + UART_REG_DATA, Byte);
}

#endif
